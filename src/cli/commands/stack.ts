import type { Command } from "commander";
import { UsageError } from "../usage.js";
import type { Io } from "../run-operation.js";
import { VERSION_PATTERN } from "../../engine/operations/deploy.js";
import { runOp, common, type CommonFlags } from "./operations.js";

/** `bluegreen up`, `bluegreen down`, `bluegreen shared restart|reload SERVICE`: the whole stack. */
export function registerStack(program: Command, io: Io, setCode: (code: number) => void): void {
  common(
    program
      .command("up")
      .description("start the shared services and the recorded live color (blue on a fresh stack), the proxy pointed at it")
      .option("--version <version>", "the version to start when none is recorded (passed as versionVariable)"),
  ).action(async (flags: CommonFlags & { version?: string }) => {
    if (flags.version !== undefined && !VERSION_PATTERN.test(flags.version)) {
      throw new UsageError(`invalid --version "${flags.version}": use letters, digits, '.', '_' or '-' (starting with a letter or digit, at most 128)`);
    }
    // up only starts what was live: it asks nothing, so it needs no --yes.
    await runOp(program, io, setCode, { ...flags, yes: true }, "bringing the stack up", (engine, h) => engine.up({ version: flags.version ?? null }, h));
  });

  common(
    program
      .command("down")
      .description("take every project of the stack down, keeping the state (what was live) and the history for the next `up`")
      .option("--volumes", "also remove the stack's volumes (its data)"),
  ).action(async (flags: CommonFlags & { volumes?: boolean }) => {
    await runOp(program, io, setCode, flags, "taking the stack down", (engine, h) => engine.down({ volumes: flags.volumes ?? false }, h));
  });

  const shared = program.command("shared").description("roll out a change to a shared service (the proxy, a datastore) while routing is kept");
  for (const mode of ["restart", "reload"] as const) {
    common(
      shared
        .command(`${mode} <service>`)
        .description(
          mode === "restart"
            ? "recreate SERVICE from its (re)built image and config; for the proxy, the live and preview targets are read before and re-asserted and read back after"
            : "reload the proxy's configuration in place (nginx: nginx -t, then nginx -s reload), no restart; the routing is read back",
        ),
    ).action(async (service: string, flags: CommonFlags) => {
      await runOp(program, io, setCode, flags, `${mode === "restart" ? "restarting" : "reloading"} ${service}`, (engine, h) => engine.shared({ service, mode }, h));
    });
  }
}
