import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { ExitCode } from "./exit-codes.js";

function packageVersion(): string {
  // dist/src/cli/main.js and src/cli/main.ts are both three levels below the package root.
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ["../..", "../../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(join(here, up, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "bluegreen" && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return "0.0.0";
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("bluegreen")
    .description("Blue-green, zero-downtime deployments of Docker Compose stacks, with proof.")
    .version(packageVersion(), "-V, --version")
    .option("-c, --config <file>", "stack configuration file", "bluegreen.yml")
    .exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return ExitCode.Success;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
        return ExitCode.Success;
      }
      return ExitCode.Usage;
    }
    throw err;
  }
}
