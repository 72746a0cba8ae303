import { Box } from "ink";
import { useTheme } from "../contexts/theme-context.js";
import { clockTime } from "../format.js";
import type { LogEntry } from "../state/event-log.js";
import { Txt } from "./Txt.js";

/** The newest `lines` events (Docker's and the engine's), newest last. */
export function EventsPane({ entries, lines, width }: { entries: readonly LogEntry[]; lines: number; width: number }) {
  const theme = useTheme();
  const shown = entries.slice(Math.max(0, entries.length - lines));
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.color("muted")} paddingX={1}>
      <Txt bold>
        Events <Txt tone="muted">{`(${entries.length} kept, newest last)`}</Txt>
      </Txt>
      {shown.length === 0 ? <Txt tone="muted">waiting for Docker events…</Txt> : null}
      {shown.map((e) => (
        <Txt key={e.id}>
          <Txt tone="muted">{`${clockTime(e.time)} ${e.source === "docker" ? "docker" : e.source === "engine" ? "engine" : "tui   "} `}</Txt>
          <Txt tone={e.tone}>{e.text}</Txt>
        </Txt>
      ))}
    </Box>
  );
}
