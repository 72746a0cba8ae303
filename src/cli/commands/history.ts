import type { Command } from "commander";
import { loadStackConfig } from "../open-stack.js";
import type { Io } from "../run-operation.js";
import { parsePositiveInt } from "../usage.js";

export function registerHistory(program: Command, io: Io): void {
  program
    .command("history")
    .description("the audit log: every deployment, switch, rollback, cleanup and resolve")
    .option("--limit <n>", "most recent entries to show", parsePositiveInt("--limit", 100_000), 20)
    .option("--json", "one JSON object per line")
    .action(async (flags: { limit: number; json?: boolean }) => {
      const config = await loadStackConfig(program.opts<{ config: string }>().config);
      const { readHistory } = await import("../../state/history.js");
      const { entries, skipped } = await readHistory(config.stateDir, { limit: flags.limit });
      if (flags.json) {
        for (const e of entries) io.stdout.write(`${JSON.stringify(e)}\n`);
        return;
      }
      if (entries.length === 0) io.stdout.write("no operations recorded yet\n");
      for (const e of entries) {
        const change = `${e.from.color ?? "-"}(${e.from.version ?? "-"}) → ${e.to.color ?? "-"}(${e.to.version ?? "-"})`;
        const total = Object.values(e.phases).reduce((a, b) => a + b, 0);
        io.stdout.write(`${e.time}  ${e.outcome.padEnd(11)} ${e.command.padEnd(28)} ${change}  ${(total / 1000).toFixed(1)} s  ${e.user}@${e.host}${e.failedPhases?.length ? `  failed: ${e.failedPhases.join(", ")}` : ""}${e.error ? `\n    ${e.error.split("\n")[0]}` : ""}\n`);
      }
      for (const s of skipped) io.stderr.write(`history line ${s.line} skipped: ${s.reason}\n`);
    });
}
