import type { DockerEvent } from "../../docker/types.js";
import type { EngineEvent } from "../../engine/events.js";
import type { Tone } from "../contexts/theme-context.js";

/** One line of the events pane. */
export interface LogEntry {
  id: number;
  time: number;
  source: "docker" | "engine" | "tui";
  text: string;
  tone?: Tone;
}

export const EVENT_LOG_LIMIT = 200;

/** Appends, keeping only the newest `limit` entries. */
export function appendBounded<T>(list: readonly T[], items: readonly T[], limit = EVENT_LOG_LIMIT): T[] {
  const next = [...list, ...items];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

/** Docker actions that can change what the dashboard shows (exec_* is the health check itself). */
export function isRelevantDockerAction(action: string): boolean {
  if (action.startsWith("exec_")) return false;
  return !["attach", "detach", "resize", "top", "export", "commit", "copy", "archive-path", "extract-to-dir"].includes(action);
}

export function describeDockerEvent(event: DockerEvent): { text: string; tone?: Tone } {
  const action = event.action;
  if (action.startsWith("health_status")) {
    const health = action.slice(action.indexOf(":") + 1).trim();
    return { text: `${event.name} ${health}`, tone: health === "healthy" ? "ok" : health === "unhealthy" ? "error" : "warn" };
  }
  const tone: Tone | undefined = action === "die" || action === "oom" || action === "kill" ? "warn" : action === "start" ? "ok" : undefined;
  return tone ? { text: `${event.name} ${action}`, tone } : { text: `${event.name} ${action}` };
}

/** Engine events worth a line in the events pane (build output and progress ticks are not). */
export function describeEngineEvent(event: EngineEvent): { text: string; tone?: Tone } | null {
  switch (event.type) {
    case "operation":
      return { text: `${event.operation} started`, tone: "accent" };
    case "phase":
      if (event.status === "start") return { text: `${event.phase}…${event.detail ? ` ${event.detail}` : ""}` };
      if (event.status === "ok") return { text: `${event.phase} ok${event.ms !== undefined ? ` (${event.ms} ms)` : ""}`, tone: "ok" };
      if (event.status === "skipped") return { text: `${event.phase} skipped${event.detail ? `: ${event.detail}` : ""}`, tone: "muted" };
      return { text: `${event.phase} FAILED${event.detail ? `: ${event.detail}` : ""}`, tone: "error" };
    case "log":
      return { text: event.message, tone: event.level === "error" ? "error" : event.level === "warn" ? "warn" : undefined };
    case "health":
      return { text: `${event.container} ${event.health}${event.detail ? `: ${event.detail}` : ""}`, tone: event.health === "healthy" ? "ok" : event.health === "unhealthy" ? "error" : undefined };
    case "smoke-check":
      return { text: `smoke ${event.check.ok ? "ok" : "FAILED"} ${event.check.name}${event.check.ok ? "" : `: ${event.check.detail}`}`, tone: event.check.ok ? "ok" : "error" };
    case "confirm":
      return { text: `asks: ${event.request.question}`, tone: "accent" };
    case "result":
      return { text: `${event.result.operation} ${event.result.outcome}: ${event.result.message}`, tone: event.result.outcome === "success" || event.result.outcome === "noop" ? "ok" : "error" };
    default:
      return null;
  }
}
