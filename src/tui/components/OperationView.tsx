import { Box } from "ink";
import { useTheme } from "../contexts/theme-context.js";
import { formatMs, truncate } from "../format.js";
import { useSpinner } from "../hooks/use-spinner.js";
import { runningPhase, type OperationState } from "../state/operation-state.js";
import { ConfirmDialog } from "./ConfirmDialog.js";
import { HarnessPanel } from "./HarnessPanel.js";
import { KeyBar, type KeyHint } from "./KeyBar.js";
import { PhaseChecklist } from "./PhaseChecklist.js";
import { ResultSummary } from "./ResultSummary.js";
import { Txt } from "./Txt.js";

const CHECKLIST_WIDTH = 28;

interface OperationViewProps {
  op: OperationState;
  columns: number;
  rows: number;
  onAnswer(yes: boolean): void;
}

/** A running (or finished) operation: phase checklist on the left, what is happening now on the right. */
export function OperationView({ op, columns, rows, onAnswer }: OperationViewProps) {
  const theme = useTheme();
  const running = !op.finished;
  const { frame, now } = useSpinner(running);
  const current = runningPhase(op);
  const detailWidth = Math.max(30, columns - CHECKLIST_WIDTH - 1);
  const inner = detailWidth - 4;
  // Header line, title line, key bar, one spare row (a frame as tall as the terminal flickers).
  const bodyHeight = Math.max(8, rows - 4 - (op.aborting && running ? 1 : 0));
  const elapsed = formatMs(now - op.startedAt);

  const keys: KeyHint[] = op.confirm ? [["y", "yes"], ["n", "no"], ["Ctrl-C", "abort"]] : running ? [["Ctrl-C", "abort safely"]] : [["Enter", "back to the dashboard"], ["q", "quit"]];

  return (
    <Box flexDirection="column" width={columns}>
      <Txt>
        <Txt bold>{op.title}</Txt>
        <Txt tone="muted">{running ? ` · ${elapsed}` : " · finished"}</Txt>
        {running && current ? <Txt tone="accent">{` · ${current.phase}`}</Txt> : null}
      </Txt>
      {op.aborting && running ? <Txt tone="warn">Aborting: the engine stops at its next safe point… (Ctrl-C again quits now)</Txt> : null}
      <Box flexDirection="row" height={bodyHeight} width={columns}>
        <Box flexDirection="column" width={CHECKLIST_WIDTH} borderStyle="round" borderColor={theme.color("muted")} paddingX={1} overflow="hidden">
          <PhaseChecklist phases={op.phases} spinner={frame} now={now} width={CHECKLIST_WIDTH - 4} />
          {op.phases.length === 0 ? <Txt tone="muted">starting…</Txt> : null}
        </Box>
        <Box flexDirection="column" width={detailWidth} marginLeft={1} overflow="hidden">
          {op.confirm ? (
            <>
              <ConfirmDialog request={op.confirm} width={detailWidth} onAnswer={onAnswer} />
              {/* What the standby answered, check by check, next to the question it informs. */}
              {op.smoke.length > 0 ? <SmokeAnswers smoke={op.smoke} inner={inner} /> : null}
            </>
          ) : op.result ? (
            <>
              <ResultSummary result={op.result} width={detailWidth} />
              {op.harness ? <HarnessPanel samples={op.harness} verdict={op.harnessVerdict} width={detailWidth} /> : null}
            </>
          ) : op.crash && !running ? (
            <Box flexDirection="column" borderStyle="round" borderColor={theme.color("error")} paddingX={1} width={detailWidth}>
              <Txt tone="error" bold>{`✖ ${op.operation} could not run`}</Txt>
              <Txt wrap="wrap">{op.crash}</Txt>
              <Txt tone="warn" wrap="wrap">
                state now: unknown; the dashboard re-reads it when you go back
              </Txt>
              <Txt tone="accent" wrap="wrap">
                next: check the dashboard, then `bluegreen resolve` if it shows a conflict
              </Txt>
            </Box>
          ) : (
            <RunningDetails op={op} width={detailWidth} inner={inner} now={now} current={current} />
          )}
        </Box>
      </Box>
      <KeyBar keys={keys} width={columns} />
    </Box>
  );
}

function SmokeAnswers({ smoke, inner }: { smoke: OperationState["smoke"]; inner: number }) {
  return (
    <Box flexDirection="column" paddingX={1}>
      <Txt tone="muted">{truncate(`smoke checks (${smoke.filter((c) => c.ok).length}/${smoke.length} passed):`, inner)}</Txt>
      {smoke.map((c, i) => (
        <Txt key={`${c.name}-${i}`} tone={c.ok ? "ok" : "error"}>
          {truncate(`${c.ok ? "✔" : "✖"} ${c.name} ${c.durationMs}ms${c.ok ? "" : `: ${c.detail}`}`, inner)}
        </Txt>
      ))}
    </Box>
  );
}

function RunningDetails({ op, width, inner, now, current }: { op: OperationState; width: number; inner: number; now: number; current: ReturnType<typeof runningPhase> }) {
  const theme = useTheme();
  const drainLeft = op.drain ? Math.max(0, op.drain.remainingMs - (now - op.drain.at)) : 0;
  return (
    <Box flexDirection="column" width={width}>
      {op.harness ? <HarnessPanel samples={op.harness} verdict={op.harnessVerdict} width={width} /> : null}
      <Box flexDirection="column" borderStyle="round" borderColor={theme.color("muted")} paddingX={1} width={width}>
        <Txt bold>{current ? truncate(`${current.phase}: ${current.detail ?? "running"}`, inner) : "waiting for the engine…"}</Txt>
        {op.drain && current?.phase === "drain" ? (
          <Txt tone="warn">{`draining ${op.drain.color}: ${op.drain.connections} connection(s) open, ${Math.ceil(drainLeft / 1000)} s left`}</Txt>
        ) : null}
        {op.verify ? (
          <Txt>
            {`verify: ${op.verify.requests} requests, `}
            <Txt tone={op.verify.failures > 0 ? "error" : "ok"}>{`${op.verify.failures} failed`}</Txt>
            <Txt tone="muted">{` (${Object.entries(op.verify.colors).map(([c, n]) => `${c} ${n}`).join(", ")})`}</Txt>
          </Txt>
        ) : null}
        {op.health.map((h) => (
          <Txt key={h.container} tone={h.health === "healthy" ? "ok" : h.health === "unhealthy" ? "error" : "warn"}>
            {truncate(`${h.container}: ${h.health}${h.detail ? ` (${h.detail})` : ""}`, inner)}
          </Txt>
        ))}
        {op.smoke.slice(-4).map((c, i) => (
          <Txt key={`${c.name}-${i}`} tone={c.ok ? "ok" : "error"}>
            {truncate(`${c.ok ? "✔" : "✖"} smoke ${c.name} ${c.durationMs}ms${c.ok ? "" : `: ${c.detail}`}`, inner)}
          </Txt>
        ))}
        {op.logs.map((l, i) => (
          <Txt key={`${i}-${l.message}`} tone={l.level === "error" ? "error" : l.level === "warn" ? "warn" : "muted"}>
            {truncate(l.message, inner)}
          </Txt>
        ))}
      </Box>
      {op.output.length > 0 ? (
        <Box flexDirection="column" borderStyle="round" borderColor={theme.color("muted")} paddingX={1} width={width}>
          <Txt tone="muted">build / compose output (last {op.output.length})</Txt>
          {op.output.map((line, i) => (
            <Txt key={`${i}-${line}`} tone="muted">
              {truncate(line, inner)}
            </Txt>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
