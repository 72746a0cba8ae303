import { Command, CommanderError, Option } from "commander";
import { findPackageRoot } from "../fs/package-root.js";
import { ConfigError } from "../config/errors.js";
import { UsageError } from "./usage.js";
import { ExitCode } from "../domain/exit-codes.js";
import type { Io } from "./run-operation.js";
import { commands } from "./commands/index.js";
import { maskCliOutput } from "./output-masking.js";

function packageVersion(): string {
  return findPackageRoot(import.meta.url)?.version ?? "0.0.0";
}


const EXIT_CODES_HELP = `
Exit codes: 0 success · 1 failed (the stack is left safe, see the message) · 2 usage or configuration error (nothing changed)
            3 conflict (run \`bluegreen resolve\`) · 4 locked by another bluegreen · 5 not confirmed (no TTY and no --yes, or declined)
            130 interrupted and aborted safely`;

export function buildProgram(io: Io, setCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name("bluegreen")
    .description("Blue-green, zero-downtime deployments of Docker Compose stacks, with proof.\nWith no command on a terminal it opens the dashboard.")
    .version(packageVersion(), "-V, --version")
    .addOption(new Option("-c, --config <file>", "stack configuration file").default("bluegreen.yml"))
    .addHelpText("after", EXIT_CODES_HELP)
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride();
  for (const register of commands) register(program, io, setCode);
  return program;
}

function describeFailure(err: unknown): string {
  if (err instanceof ConfigError) return `configuration error — nothing was changed:\n${err.message}`;
  if (err instanceof UsageError) return `usage error — nothing was changed: ${err.message}\nSee \`bluegreen --help\`.`;
  return err instanceof Error ? err.message : String(err);
}

/** The process's streams; stdin only when a command reads it (creating it costs a TTY or pipe setup). */
function processIo(): Io {
  return {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
  };
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code: number = ExitCode.Success;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  // Whatever reaches the terminal (compose output, log tails, smoke and verify details, errors) is
  // masked: values of secret-looking variables (of the environment and, once loaded, of the
  // config's env) and URL passwords become ***.
  const restore = maskCliOutput([io.stdout, io.stderr]);
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return ExitCode.Success;
      io.stderr.write("bluegreen: nothing was changed. See `bluegreen --help` (or `bluegreen <command> --help`) and run again.\n");
      return ExitCode.Usage;
    }
    io.stderr.write(`bluegreen: ${describeFailure(err)}\n`);
    if (err instanceof ConfigError || err instanceof UsageError) return ExitCode.Usage;
    return ExitCode.Failed;
  } finally {
    restore();
  }
}
