import { Option, type Command } from "commander";
import { ExitCode } from "../../domain/exit-codes.js";
import { UsageError, parseColorOption } from "../usage.js";
import { runEngineOperation, type Io, type OutputOptions } from "../run-operation.js";
import { openStack } from "../open-stack.js";
import type { Engine } from "../../engine/engine.js";
import type { OperationHandlers } from "../../engine/context.js";
import type { OperationResult } from "../../engine/events.js";
import { VERSION_PATTERN } from "../../engine/operations/deploy.js";

type Op = (engine: Engine, handlers: OperationHandlers) => Promise<OperationResult>;

export interface CommonFlags {
  yes?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** Without --yes, a change to live traffic needs a terminal to confirm on: refuse before acting. */
export function refuseWithoutConfirmation(io: Io, flags: CommonFlags, what: string): boolean {
  if (flags.yes) return false;
  if (io.stdin.isTTY && !flags.json) return false;
  io.stderr.write(
    `bluegreen: ${what} needs a confirmation and ${flags.json ? "--json output cannot prompt" : "there is no terminal to ask on"} — nothing was changed.\n` +
      `Pass --yes to confirm non-interactively (CI pipelines), or run it in a terminal.\n`,
  );
  return true;
}

export async function runOp(program: Command, io: Io, setCode: (c: number) => void, flags: CommonFlags, what: string, op: Op): Promise<void> {
  const { engine } = await openStack(program.opts<{ config: string }>().config);
  if (refuseWithoutConfirmation(io, flags, what)) {
    setCode(ExitCode.NotConfirmed);
    return;
  }
  const output: OutputOptions = { json: flags.json ?? false, yes: flags.yes ?? false, verbose: flags.verbose ?? false };
  setCode(await runEngineOperation(io, output, op, engine));
}

export function common(cmd: Command): Command {
  return cmd
    .option("-y, --yes", "confirm without asking (required without a terminal)")
    .option("--json", "stream events as JSON lines, ending with the result object")
    .option("-v, --verbose", "show compose output");
}

export function registerOperations(program: Command, io: Io, setCode: (code: number) => void): void {
  common(
    program
      .command("deploy")
      .description("build and start the inactive color, gate on health, smoke-test it, switch, verify, drain and stop the old")
      .requiredOption("--version <version>", "the version to deploy (passed to compose as versionVariable, default BLUEGREEN_VERSION)"),
  ).action(async (flags: CommonFlags & { version: string }) => {
    if (!VERSION_PATTERN.test(flags.version)) {
      throw new UsageError(`invalid --version "${flags.version}": use letters, digits, '.', '_' or '-' (starting with a letter or digit, at most 128)`);
    }
    await runOp(program, io, setCode, flags, `deploying ${flags.version}`, (engine, h) => engine.deploy({ version: flags.version }, h));
  });

  common(program.command("switch").description("flip live traffic between two running, healthy colors")).action(async (flags: CommonFlags) => {
    await runOp(program, io, setCode, flags, "switching live traffic", (engine, h) => engine.switch(h));
  });

  common(program.command("rollback").description("send live traffic back to the previous color (started or recreated if needed)")).action(async (flags: CommonFlags) => {
    await runOp(program, io, setCode, flags, "rolling back", (engine, h) => engine.rollback(h));
  });

  common(program.command("cleanup").description("remove the inactive color's containers (never the active one)")).action(async (flags: CommonFlags) => {
    await runOp(program, io, setCode, flags, "removing the inactive color", (engine, h) => engine.cleanup(h));
  });

  common(
    program
      .command("resolve")
      .description("settle a stack that disagrees with itself: both colors running, state file ≠ proxy, unhealthy target, stale lock")
      .addOption(new Option("--keep <color>", "the color to keep (default: the recommendation)").argParser(parseColorOption)),
  ).action(async (flags: CommonFlags & { keep?: "blue" | "green" }) => {
    await runOp(program, io, setCode, flags, "resolving the conflict", (engine, h) => engine.resolve({ keep: flags.keep ?? null }, h));
  });

  common(
    program
      .command("migrate")
      .description("run the configured migration (migrate.command) in a one-off container of the live release, under the lock")
      .option("--contract", "run the contract step (migrate.contract) instead; refused while the other color runs"),
  ).action(async (flags: CommonFlags & { contract?: boolean }) => {
    await runOp(program, io, setCode, flags, "migrating the shared services' schema", (engine, h) => engine.migrate({ contract: flags.contract ?? false }, h));
  });
}
