import { Box } from "ink";
import type { SlotStatus } from "../../engine/status-model.js";
import { useTheme } from "../contexts/theme-context.js";
import { ContainerLine, containerLineCount } from "./ContainerLine.js";
import { Txt } from "./Txt.js";

/** Rows the panel takes: border, title, and its container lines. */
export function slotPanelHeight(slot: SlotStatus): number {
  const lines = slot.containers.reduce((n, c) => n + containerLineCount(c), 0);
  return 2 + 1 + Math.max(1, lines);
}

function slotSummary(slot: SlotStatus): string {
  if (!slot.exists) return "no containers";
  if (slot.healthy) return "healthy";
  return slot.running ? "running, not healthy" : "stopped";
}

interface SlotPanelProps {
  slot: SlotStatus;
  /** The proxy really routes live traffic here. */
  active: boolean;
  /** The proxy's preview route points here. */
  preview: boolean;
  width: number;
  selected: string | null;
  now: number;
}

/** One color: ACTIVE when the proxy routes live traffic to it, and each of its containers. */
export function SlotPanel({ slot, active, preview, width, selected, now }: SlotPanelProps) {
  const theme = useTheme();
  const inner = Math.max(10, width - 4);
  const tone = slot.color === "blue" ? "blue" : "green";
  return (
    <Box flexDirection="column" width={width} borderStyle={active ? "double" : "round"} borderColor={theme.color(tone)} paddingX={1}>
      <Txt>
        <Txt tone={tone} bold>
          {slot.color.toUpperCase()}
        </Txt>
        {active ? (
          <Txt tone="ok" bold>
            {" ● ACTIVE"}
          </Txt>
        ) : (
          <Txt tone="muted">{" ○ standby"}</Txt>
        )}
        {preview ? <Txt tone="accent">{" · preview"}</Txt> : null}
        {` · ${slot.version ?? "no version"} · `}
        <Txt tone={slot.healthy ? "ok" : slot.exists ? "warn" : "muted"}>{slotSummary(slot)}</Txt>
      </Txt>
      {slot.containers.length === 0 ? <Txt tone="muted">  no containers</Txt> : null}
      {slot.containers.map((c) => (
        <ContainerLine key={c.id} container={c} selected={selected === c.name} width={inner} now={now} />
      ))}
    </Box>
  );
}
