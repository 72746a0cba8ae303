import { Box } from "ink";
import type { EventStreamStatus } from "../../docker/types.js";
import type { StackStatus } from "../../engine/status-model.js";
import { dashboardBanners } from "../state/banners.js";
import type { LogEntry } from "../state/event-log.js";
import { EventsPane } from "./EventsPane.js";
import { Header } from "./Header.js";
import { DASHBOARD_KEYS, KeyBar } from "./KeyBar.js";
import { SharedPanel, sharedPanelHeight } from "./SharedPanel.js";
import { SlotPanel, slotPanelHeight } from "./SlotPanel.js";
import { Txt } from "./Txt.js";

/** Below this width the two slot panels stack vertically. */
export const SIDE_BY_SIDE_MIN_COLUMNS = 100;

export interface DashboardProps {
  stackName: string;
  status: StackStatus | null;
  error: string | null;
  stream: EventStreamStatus | null;
  events: readonly LogEntry[];
  selected: string | null;
  columns: number;
  rows: number;
  now: number;
  /** A transient line from the TUI itself (e.g. "verify needs the harness"). */
  notice?: string | null;
}

/** The lazydocker-style overview: both colors, the shared services, the events, the keys. */
export function Dashboard({ stackName, status, error, stream, events, selected, columns, rows, now, notice }: DashboardProps) {
  const sideBySide = columns >= SIDE_BY_SIDE_MIN_COLUMNS;
  const banners = dashboardBanners(status, error, stream);
  const half = Math.floor(columns / 2);

  let used = 1 + banners.length + (notice ? 1 : 0) + 1; // header, banners, notice, key bar
  if (status) {
    const blue = slotPanelHeight(status.slots.blue);
    const green = slotPanelHeight(status.slots.green);
    used += (sideBySide ? Math.max(blue, green) : blue + green) + sharedPanelHeight(status);
  } else {
    used += 1;
  }
  // Leave the last row free: a frame as tall as the terminal makes Ink clear the screen each render.
  const eventLines = Math.max(1, rows - 1 - used - 3);

  return (
    <Box flexDirection="column" width={columns}>
      <Header stackName={stackName} status={status} stream={stream} width={columns} />
      {banners.map((b) => (
        <Txt key={b.text} tone={b.tone}>
          {b.text}
        </Txt>
      ))}
      {notice ? <Txt tone="accent">{notice}</Txt> : null}
      {status ? (
        <>
          <Box flexDirection={sideBySide ? "row" : "column"} width={columns}>
            <SlotPanel slot={status.slots.blue} active={status.active === "blue"} preview={status.proxy.preview === "blue"} width={sideBySide ? half : columns} selected={selected} now={now} />
            <SlotPanel slot={status.slots.green} active={status.active === "green"} preview={status.proxy.preview === "green"} width={sideBySide ? columns - half : columns} selected={selected} now={now} />
          </Box>
          <SharedPanel status={status} width={columns} selected={selected} now={now} />
        </>
      ) : (
        <Txt tone="muted">{error ? "no status yet" : "reading the stack's status…"}</Txt>
      )}
      <EventsPane entries={events} lines={eventLines} width={columns} />
      <KeyBar keys={DASHBOARD_KEYS} width={columns} />
    </Box>
  );
}
