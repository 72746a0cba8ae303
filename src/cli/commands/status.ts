import type { Command } from "commander";
import { ExitCode } from "../../domain/exit-codes.js";
import { renderStatusText, statusJson } from "../render/status-text.js";
import { createStyle } from "../render/style.js";
import type { Io } from "../run-operation.js";
import { openStack } from "../open-stack.js";

export function registerStatus(program: Command, io: Io, setCode: (code: number) => void): void {
  program
    .command("status")
    .description("both colors, the shared services, the proxy's real target, the state file, the lock and any conflict")
    .option("--json", "print one JSON document")
    .action(async (opts: { json?: boolean }) => {
      const { engine, ports } = await openStack(program.opts<{ config: string }>().config);
      await ports.platform.ping();
      const status = await engine.status();
      if (opts.json) io.stdout.write(`${JSON.stringify(statusJson(status), null, 2)}\n`);
      else io.stdout.write(renderStatusText(status, createStyle(io.stdout)));
      // A conflict is worth a distinct exit code: pipelines can gate on `bluegreen status`.
      setCode(status.conflicts.length > 0 ? ExitCode.Conflict : ExitCode.Success);
    });
}
