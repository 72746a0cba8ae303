import { Box } from "ink";
import type { EventStreamStatus } from "../../docker/types.js";
import type { StackStatus } from "../../engine/status-model.js";
import { clockTime } from "../format.js";
import { Txt } from "./Txt.js";

/** Top line: stack, the live color (from the proxy), Docker's stream, when the status was read. */
export function Header({ stackName, status, stream, width }: { stackName: string; status: StackStatus | null; stream: EventStreamStatus | null; width: number }) {
  const live = status?.active ?? null;
  const version = live && status ? status.slots[live].version : null;
  const checked = status ? Date.parse(status.checkedAt) : NaN;
  return (
    <Box width={width}>
      <Txt>
        <Txt bold>bluegreen</Txt>
        {` · ${stackName} · live `}
        <Txt tone={live === "blue" ? "blue" : live === "green" ? "green" : "warn"} bold>
          {status ? (live ?? "nothing") : "…"}
        </Txt>
        {version ? ` ${version}` : ""}
        {" · docker "}
        {stream?.state === "reconnecting" ? <Txt tone="warn">reconnecting</Txt> : stream ? <Txt tone="ok">connected</Txt> : <Txt tone="muted">connecting</Txt>}
        {/* To the minute: re-reads that find nothing new do not redraw the screen (see sameStatus). */}
        {Number.isNaN(checked) ? "" : <Txt tone="muted">{` · read ${clockTime(checked).slice(0, 5)}`}</Txt>}
      </Txt>
    </Box>
  );
}
