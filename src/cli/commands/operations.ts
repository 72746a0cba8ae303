import { Option, type Command } from "commander";
import { ExitCode } from "../../domain/exit-codes.js";
import { parseColorOption, parseVersionOption } from "../usage.js";
import { runEngineOperation, type Io, type OutputOptions } from "../run-operation.js";
import { openStack } from "../open-stack.js";
import type { Engine } from "../../engine/engine.js";
import type { OperationHandlers } from "../../engine/context.js";
import type { OperationResult } from "../../engine/events.js";
import type { Color } from "../../domain/color.js";

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

/**
 * One mutating engine operation as a command: its flags, what a refused confirmation names, and the
 * engine call. Every such command also takes --yes, --json and --verbose, and runs the same way.
 */
export interface OperationCommand<F extends CommonFlags> {
  /** The command and its arguments as commander takes them: "deploy", "restart <service>". */
  name: string;
  description: string;
  /** The command's own flags. */
  options?: Option[];
  /** What a refused confirmation names: "deploying v2". */
  what: (flags: F, args: string[]) => string;
  /** It asks nothing (up starts only what was live), so it needs no --yes. */
  asksNothing?: boolean;
  run: (engine: Engine, handlers: OperationHandlers, flags: F, args: string[]) => Promise<OperationResult>;
}

export function registerOperation<F extends CommonFlags>(parent: Command, program: Command, io: Io, setCode: (code: number) => void, spec: OperationCommand<F>): void {
  const cmd = parent.command(spec.name).description(spec.description);
  for (const option of spec.options ?? []) cmd.addOption(option);
  cmd
    .option("-y, --yes", "confirm without asking (required without a terminal)")
    .option("--json", "stream events as JSON lines, ending with the result object")
    .option("-v, --verbose", "show compose output")
    .action(async (...received: unknown[]) => {
      // commander passes the command's arguments, then its flags, then the command itself.
      const args = received.slice(0, -2) as string[];
      const given = received.at(-2) as F;
      const flags: F = spec.asksNothing ? { ...given, yes: true } : given;
      const { engine } = await openStack(program.opts<{ config: string }>().config);
      if (refuseWithoutConfirmation(io, flags, spec.what(flags, args))) {
        setCode(ExitCode.NotConfirmed);
        return;
      }
      const output: OutputOptions = { json: flags.json ?? false, yes: flags.yes ?? false, verbose: flags.verbose ?? false };
      setCode(await runEngineOperation(io, output, (engine, h) => spec.run(engine, h, flags, args), engine));
    });
}

export function registerOperations(program: Command, io: Io, setCode: (code: number) => void): void {
  const add = <F extends CommonFlags>(spec: OperationCommand<F>): void => registerOperation(program, program, io, setCode, spec);
  add<CommonFlags & { version: string }>({
    name: "deploy",
    description: "build and start the inactive color, gate on health, smoke-test it, switch, verify, drain and stop the old",
    options: [new Option("--version <version>", "the version to deploy (passed to compose as versionVariable, default BLUEGREEN_VERSION)").argParser(parseVersionOption).makeOptionMandatory()],
    what: (flags) => `deploying ${flags.version}`,
    run: (engine, h, flags) => engine.deploy({ version: flags.version }, h),
  });
  add({ name: "switch", description: "flip live traffic between two running, healthy colors", what: () => "switching live traffic", run: (engine, h) => engine.switch(h) });
  add({ name: "rollback", description: "send live traffic back to the previous color (started or recreated if needed)", what: () => "rolling back", run: (engine, h) => engine.rollback(h) });
  add({ name: "cleanup", description: "remove the inactive color's containers (never the active one)", what: () => "removing the inactive color", run: (engine, h) => engine.cleanup(h) });
  add<CommonFlags & { keep?: Color }>({
    name: "resolve",
    description: "settle a stack that disagrees with itself: both colors running, state file ≠ proxy, unhealthy target, stale lock",
    options: [new Option("--keep <color>", "the color to keep (default: the recommendation)").argParser(parseColorOption)],
    what: () => "resolving the conflict",
    run: (engine, h, flags) => engine.resolve({ keep: flags.keep ?? null }, h),
  });
  add<CommonFlags & { contract?: boolean }>({
    name: "migrate",
    description: "run the configured migration (migrate.command) in a one-off container of the live release, under the lock",
    options: [new Option("--contract", "run the contract step (migrate.contract) instead; refused while the other color runs")],
    what: () => "migrating the shared services' schema",
    run: (engine, h, flags) => engine.migrate({ contract: flags.contract ?? false }, h),
  });
}
