import type { Command } from "commander";
import { loadStackConfig } from "../open-stack.js";
import { renderHistoryEntryText } from "../render/history-text.js";
import type { Io } from "../run-operation.js";
import { parsePositiveInt } from "../usage.js";

export function registerHistory(program: Command, io: Io): void {
  program
    .command("history")
    .description("the audit log: every deployment, switch, rollback, cleanup, resolve and migration, with its hooks and migration runs")
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
      for (const e of entries) io.stdout.write(`${renderHistoryEntryText(e).join("\n")}\n`);
      for (const s of skipped) io.stderr.write(`history line ${s.line} skipped: ${s.reason}\n`);
    });
}
