import type { EventStreamStatus } from "../../docker/types.js";
import type { StackStatus } from "../../engine/status-model.js";
import type { Tone } from "../contexts/theme-context.js";
import { clockTime } from "../format.js";

export interface Banner {
  text: string;
  tone: Tone;
}

/** One-line warnings above the panels: what is wrong and what to do about it. */
export function dashboardBanners(status: StackStatus | null, error: string | null, stream: EventStreamStatus | null): Banner[] {
  const banners: Banner[] = [];
  if (stream?.state === "reconnecting") {
    banners.push({ text: `Docker: reconnecting (attempt ${stream.attempt})… ${stream.error}`, tone: "warn" });
  }
  if (error) {
    banners.push({ text: `could not read the status: ${error}; showing the last known state, retrying on the next event`, tone: "error" });
  }
  if (!status) return banners;
  const recorded = status.state?.active ?? null;
  if (status.proxy.reachable && recorded && recorded !== status.active) {
    banners.push({ text: `⚠ drift: the state file says ${recorded} is active, but the proxy routes to ${status.active ?? "nothing"}`, tone: "warn" });
  }
  if (status.stateError) {
    banners.push({ text: `⚠ state file unreadable: ${status.stateError}`, tone: "warn" });
  }
  if (status.lock && !status.lock.stale) {
    const l = status.lock;
    const since = Number.isNaN(Date.parse(l.startedAt)) ? l.startedAt : clockTime(Date.parse(l.startedAt));
    banners.push({ text: `locked: ${l.user}@${l.host} (pid ${l.pid}) runs \`${l.command}\` since ${since}`, tone: "warn" });
  }
  if (status.conflicts.length > 0) {
    const kinds = [...new Set(status.conflicts.map((c) => c.kind))].join(", ");
    banners.push({ text: `⚠ conflict: ${kinds} — press x to resolve`, tone: "error" });
  }
  return banners;
}
