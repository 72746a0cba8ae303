import { Option, type Command } from "commander";
import type { Io } from "../run-operation.js";
import { parseVersionOption } from "../usage.js";
import { registerOperation, type CommonFlags } from "./operations.js";

/** `bluegreen up`, `bluegreen down`, `bluegreen shared restart|reload SERVICE`: the whole stack. */
export function registerStack(program: Command, io: Io, setCode: (code: number) => void): void {
  registerOperation<CommonFlags & { version?: string }>(program, program, io, setCode, {
    name: "up",
    description: "start the shared services and the recorded live color (blue on a fresh stack), the proxy pointed at it",
    options: [new Option("--version <version>", "the version to start when none is recorded (passed as versionVariable)").argParser(parseVersionOption)],
    asksNothing: true,
    what: () => "bringing the stack up",
    run: (engine, h, flags) => engine.up({ version: flags.version ?? null }, h),
  });

  registerOperation<CommonFlags & { volumes?: boolean }>(program, program, io, setCode, {
    name: "down",
    description: "take every project of the stack down, keeping the state (what was live) and the history for the next `up`",
    options: [new Option("--volumes", "also remove the stack's volumes (its data)")],
    what: () => "taking the stack down",
    run: (engine, h, flags) => engine.down({ volumes: flags.volumes ?? false }, h),
  });

  const shared = program.command("shared").description("roll out a change to a shared service (the proxy, a datastore) while routing is kept");
  const what = { restart: "restarting", reload: "reloading" } as const;
  const description = {
    restart: "recreate SERVICE from its (re)built image and config; for the proxy, the live and preview targets are read before and re-asserted and read back after",
    reload: "reload the proxy's configuration in place (nginx: nginx -t, then nginx -s reload), no restart; the routing is read back",
  } as const;
  // <service> is required: commander refuses the command without it.
  const service = (args: string[]): string => args[0] as string;
  for (const mode of ["restart", "reload"] as const) {
    registerOperation(shared, program, io, setCode, {
      name: `${mode} <service>`,
      description: description[mode],
      what: (_flags, args) => `${what[mode]} ${service(args)}`,
      run: (engine, h, _flags, args) => engine.shared({ service: service(args), mode }, h),
    });
  }
}
