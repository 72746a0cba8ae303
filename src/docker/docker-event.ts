import { isColor } from "../domain/color.js";
import type { DockerEvent } from "./types.js";

export const PROJECT_LABEL = "com.docker.compose.project";
export const SERVICE_LABEL = "com.docker.compose.service";
export const COLOR_LABEL = "bluegreen.color";
export const VERSION_LABEL = "bluegreen.version";

/** A parsed event plus what the stream needs to resume without gaps or repeats. */
export interface ParsedDockerEvent {
  event: DockerEvent;
  /** Daemon time in nanoseconds since the epoch (exact, for `since` and de-duplication). */
  timeNano: bigint;
  /** Identifies the event among those of the same nanosecond. */
  key: string;
}

/**
 * Maps one object of Docker's /events stream to a DockerEvent, or null when it is not a container
 * event. Accepts both the current shape (Type/Action/Actor) and the legacy one (status/id).
 */
export function parseDockerEvent(raw: unknown): ParsedDockerEvent | null {
  if (!isRecord(raw)) return null;
  const type = str(raw.Type) ?? "container"; // legacy events have no Type and are all container events
  if (type !== "container") return null;
  const actor = isRecord(raw.Actor) ? raw.Actor : {};
  const attributes: Record<string, unknown> = isRecord(actor.Attributes) ? actor.Attributes : {};
  const action = str(raw.Action) ?? str(raw.status);
  const containerId = str(actor.ID) ?? str(raw.id);
  if (!action || !containerId) return null;
  const timeNano = eventTimeNano(raw);
  const color = attributes[COLOR_LABEL];
  const event: DockerEvent = {
    time: Number(timeNano / 1_000_000n),
    action,
    containerId,
    name: str(attributes.name) ?? containerId.slice(0, 12),
    project: str(attributes[PROJECT_LABEL]) ?? null,
    service: str(attributes[SERVICE_LABEL]) ?? null,
    color: isColor(color) ? color : null,
  };
  return { event, timeNano, key: `${containerId} ${action}` };
}

/**
 * Whether the engine/TUI want this event. Health checks run as `docker exec` every interval, so
 * exec_create/exec_start/exec_die would flood the stream; the health result itself arrives as
 * "health_status: …".
 */
export function isWantedEvent(event: DockerEvent, projects: ReadonlySet<string>): boolean {
  if (event.action.startsWith("exec_")) return false;
  if (projects.size === 0) return event.project !== null;
  return event.project !== null && projects.has(event.project);
}

/** Server-side filter for /events: containers of these compose projects (all projects if none). */
/**
 * The container lifecycle and health events bluegreen reacts to. Listing them keeps the daemon from
 * sending every health check's exec_create/exec_start/exec_die (several a second per container).
 */
export const WANTED_ACTIONS = ["create", "start", "restart", "die", "stop", "kill", "oom", "destroy", "pause", "unpause", "rename", "health_status"] as const;

export function eventFilters(projects: readonly string[]): { type: string[]; label: string[]; event: string[] } {
  // Docker ANDs several label filters together, so with more than one project the daemon filters on
  // the label's presence and isWantedEvent picks the projects.
  const label = projects.length === 1 ? [`${PROJECT_LABEL}=${projects[0]}`] : [PROJECT_LABEL];
  return { type: ["container"], label, event: [...WANTED_ACTIONS] };
}

/** Value for /events?since=…: seconds with fraction, a millisecond before `timeNano` (replays are de-duplicated). */
export function sinceParam(timeNano: bigint): number {
  const micros = timeNano / 1000n - 1000n;
  return Number(micros) / 1e6;
}

function eventTimeNano(raw: Record<string, unknown>): bigint {
  if (typeof raw.timeNano === "number" && Number.isFinite(raw.timeNano)) {
    // JSON numbers of nanoseconds exceed 2^53; keep the precision the parser gave us.
    return BigInt(Math.trunc(raw.timeNano));
  }
  if (typeof raw.time === "number" && Number.isFinite(raw.time)) return BigInt(Math.trunc(raw.time)) * 1_000_000_000n;
  return BigInt(Date.now()) * 1_000_000n;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
