import { Box } from "ink";
import type { OperationResult } from "../../engine/events.js";
import { useTheme } from "../contexts/theme-context.js";
import { formatMs } from "../format.js";
import { Txt } from "./Txt.js";

const MESSAGE_LINES = 4;

/** The end of an operation: outcome, what happened, the state now and the next step. */
export function ResultSummary({ result, width }: { result: OperationResult; width: number }) {
  const theme = useTheme();
  const good = result.outcome === "success" || result.outcome === "noop";
  const lines = result.message.split("\n");
  const shown = lines.slice(0, MESSAGE_LINES);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color(good ? "ok" : "error")} paddingX={1} width={width}>
      <Txt bold tone={good ? "ok" : "error"}>
        {`${good ? "✔" : "✖"} ${result.operation} ${result.outcome} in ${formatMs(result.durationMs)}`}
      </Txt>
      {shown.map((line, i) => (
        <Txt key={i} wrap="wrap">
          {line}
        </Txt>
      ))}
      {lines.length > shown.length ? <Txt tone="muted">{`… ${lines.length - shown.length} more lines (see the events pane / history)`}</Txt> : null}
      <Txt>
        {"live now: "}
        <Txt tone={result.active === "blue" ? "blue" : result.active === "green" ? "green" : "warn"} bold>
          {result.active ?? "nothing"}
        </Txt>
        {result.to.color ? ` · ${result.from.color ?? "-"} ${result.from.version ?? ""} → ${result.to.color} ${result.to.version ?? ""}` : ""}
      </Txt>
      {/* These two wrap instead of being cut: they are what the operator must read. */}
      {result.stateNow ? (
        <Txt tone="warn" wrap="wrap">
          {`state now: ${result.stateNow}`}
        </Txt>
      ) : null}
      {result.nextStep ? (
        <Txt tone="accent" wrap="wrap">
          {`next: ${result.nextStep}`}
        </Txt>
      ) : null}
    </Box>
  );
}
