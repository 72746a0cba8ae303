import { Box } from "ink";
import { COLORS, type Color } from "../../domain/color.js";
import type { StackStatus } from "../../engine/status-model.js";
import { useTheme } from "../contexts/theme-context.js";
import { formatUptime, truncate } from "../format.js";
import { KeyBar, type KeyHint } from "./KeyBar.js";
import { Txt } from "./Txt.js";
import { useKeys } from "../hooks/use-keys.js";

/** What resolve would keep when the operator accepts the recommendation. */
export function recommendation(status: StackStatus): { keep: Color | null; why: string; possible: boolean } {
  const rec = status.conflicts.find((c) => c.recommend);
  if (rec?.recommend) return { keep: rec.recommend, why: rec.why, possible: true };
  const onlyLock = status.conflicts.length > 0 && status.conflicts.every((c) => c.kind === "stale-lock");
  if (onlyLock) return { keep: null, why: "only the stale lock needs breaking", possible: true };
  return { keep: null, why: status.conflicts.map((c) => c.why).join("; ") || "no conflict", possible: false };
}

function sideFacts(status: StackStatus, color: Color, now: number): string[] {
  const slot = status.slots[color];
  const health = !slot.exists ? "no containers" : slot.healthy ? "healthy" : slot.running ? "running, NOT healthy" : "stopped";
  return [
    `health   ${health}`,
    `version  ${slot.version ?? "-"}`,
    `since    ${slot.since ? `${formatUptime(slot.since, now)} ago` : "-"}`,
    `proxy    ${status.proxy.target === color ? "routes live traffic HERE" : "not live"}`,
    `state    ${status.state?.active === color ? "recorded as active" : "not recorded as active"}`,
  ];
}

interface ConflictResolverProps {
  status: StackStatus;
  width: number;
  now: number;
  onKeep(keep: Color | null): void;
  onCancel(): void;
}

/**
 * When the stack disagrees with itself: both sides' facts, the recommendation, and the operator's
 * choice (b / g / Enter for the recommendation / Esc). The choice is final: resolve is then run
 * without asking again.
 */
export function ConflictResolver({ status, width, now, onKeep, onCancel }: ConflictResolverProps) {
  const theme = useTheme();
  const rec = recommendation(status);
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (input === "b") onKeep("blue");
    else if (input === "g") onKeep("green");
    else if (key.return && rec.possible) onKeep(rec.keep);
    else if (key.escape) onCancel();
  });
  const inner = width - 4;
  const sideBySide = width >= 70;
  const colWidth = sideBySide ? Math.floor(inner / 2) : inner;
  const keys: KeyHint[] = [["b", "keep blue"], ["g", "keep green"], ...(rec.possible ? ([["Enter", rec.keep ? `keep ${rec.keep} (recommended)` : "break the lock"]] as KeyHint[]) : []), ["Esc", "not now"]];
  return (
    <Box flexDirection="column" width={width}>
      <Box flexDirection="column" borderStyle="double" borderColor={theme.color("error")} paddingX={1} width={width}>
        <Txt bold tone="error">
          The stack disagrees with itself
        </Txt>
        {status.conflicts.map((c) => (
          <Txt key={c.kind} wrap="wrap">{`• ${c.kind}: ${c.message}`}</Txt>
        ))}
        <Box flexDirection={sideBySide ? "row" : "column"} width={inner}>
          {COLORS.map((color) => (
            <Box key={color} flexDirection="column" width={colWidth}>
              <Txt tone={color} bold>
                {color.toUpperCase()}
              </Txt>
              {sideFacts(status, color, now).map((line) => (
                <Txt key={line}>{truncate(line, colWidth - 1)}</Txt>
              ))}
            </Box>
          ))}
        </Box>
        <Txt>{truncate(`proxy routes to ${status.proxy.target ?? "nothing"} · state file says ${status.state?.active ?? (status.stateError ? "unreadable" : "nothing")}`, inner)}</Txt>
        <Txt tone={rec.possible ? "ok" : "warn"} wrap="wrap">
          {rec.possible ? `Recommended: ${rec.keep ? `keep ${rec.keep}` : "break the stale lock"} — ${rec.why}` : `No recommendation: ${rec.why}`}
        </Txt>
      </Box>
      <KeyBar keys={keys} width={width} />
    </Box>
  );
}
