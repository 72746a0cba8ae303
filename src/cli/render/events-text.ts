import type { EngineEvent, OperationResult } from "../../engine/events.js";
import type { Style } from "./style.js";

function secs(ms: number | undefined): string {
  return ms === undefined ? "" : ` (${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s)`;
}

/** One engine event as plain text lines (empty when the event is not worth a line in a log). */
export function renderEventText(event: EngineEvent, style: Style, opts: { verbose: boolean }): string[] {
  switch (event.type) {
    case "operation":
      return [style.bold(`bluegreen ${event.operation}`)];
    case "phase":
      if (event.status === "start") return [`→ ${event.phase}${event.detail ? `: ${event.detail}` : ""}`];
      if (event.status === "ok") return [style.green(`✓ ${event.phase}`) + style.dim(secs(event.ms))];
      if (event.status === "skipped") return [style.dim(`- ${event.phase} skipped: ${event.detail ?? ""}`)];
      return [style.red(`✗ ${event.phase} FAILED`) + style.dim(secs(event.ms)) + (event.detail ? `: ${event.detail.split("\n")[0]}` : "")];
    case "log":
      return [event.level === "info" ? `  ${event.message}` : event.level === "warn" ? style.yellow(`  ! ${event.message}`) : style.red(`  ✗ ${event.message}`)];
    case "output":
      return opts.verbose ? [style.dim(`    ${event.line}`)] : [];
    case "health":
      return [`  ${event.container}: ${event.health}${event.detail ? ` — ${event.detail.split("\n")[0]}` : ""}`];
    case "smoke-check":
      return [`  ${event.check.ok ? style.green("✓") : style.red("✗")} ${event.check.name}${style.dim(secs(event.check.durationMs))}${event.check.ok ? "" : `: ${event.check.detail}`}`];
    case "confirm":
      return [style.bold(event.request.question), ...event.request.facts.map(([k, v]) => `  ${k}: ${v}`), `  on yes: ${event.request.consequence}`];
    case "verify-progress":
    case "drain-progress":
    case "status":
      return [];
    case "result":
      return renderResultText(event.result, style);
  }
}

export function renderResultText(result: OperationResult, style: Style): string[] {
  const ok = result.outcome === "success" || result.outcome === "noop";
  const head = ok ? style.green(`✓ ${result.operation} ${result.outcome}`) : style.red(`✗ ${result.operation} ${result.outcome}`);
  const lines = [`${head} in ${(result.durationMs / 1000).toFixed(1)} s: ${result.message}`];
  if (result.stateNow) lines.push(`  state now: ${result.stateNow}`);
  if (result.nextStep) lines.push(`  next step: ${result.nextStep}`);
  lines.push(`  live color: ${result.active ?? "none"}${result.activeNote ? ` (${result.activeNote})` : ""}`);
  for (const d of result.degraded ?? []) lines.push(style.yellow(`  ! ${d}`));
  return lines;
}
