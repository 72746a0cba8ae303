import { Box } from "ink";
import { formatMs, padEnd } from "../format.js";
import type { PhaseRow } from "../state/operation-state.js";
import type { Tone } from "../contexts/theme-context.js";
import { Txt } from "./Txt.js";

const MARK: Record<PhaseRow["status"], [string, Tone]> = {
  pending: ["○", "muted"],
  start: ["", "accent"],
  ok: ["✔", "ok"],
  failed: ["✖", "error"],
  skipped: ["–", "muted"],
};

/** The operation's phases: done, running (spinner + elapsed), failed, skipped, still to come. */
export function PhaseChecklist({ phases, spinner, now, width }: { phases: readonly PhaseRow[]; spinner: string; now: number; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      {phases.map((p) => {
        const [mark, tone] = MARK[p.status];
        const time = p.status === "start" ? formatMs(now - (p.startedAt ?? now)) : p.status === "ok" || p.status === "failed" ? formatMs(p.ms ?? 0) : p.status === "skipped" ? "skip" : "";
        return (
          <Txt key={p.phase} tone={p.status === "pending" ? "muted" : undefined} bold={p.status === "start"}>
            <Txt tone={tone}>{p.status === "start" ? spinner : mark}</Txt>
            {` ${padEnd(p.phase, 15)} `}
            <Txt tone="muted">{time}</Txt>
          </Txt>
        );
      })}
    </Box>
  );
}
