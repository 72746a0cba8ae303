import type { Color } from "../src/domain/color.js";
import type { ColorTimeline, OperationWindow, Outage, ProbeSample } from "./types.js";
import { round } from "./stats.js";

/**
 * Outage rule (the "gap" the harness reports):
 * - A probe is *bad* when it is a hard failure, or when it succeeded but took longer than
 *   `stallMs` (a frozen proxy answers nothing until it resumes: requests hang instead of failing).
 * - Keep-alive closes are neither good nor bad: the service was up, the socket was stale.
 * - Walking probes in send order, an outage starts at the send time of the first bad probe after a
 *   good one, and ends when the next good probe's response arrives (its t + latency). Using the
 *   response time, not the send time, matters: probes sent during a freeze come back the moment
 *   the service resumes, and that moment is the end of the outage.
 * - duration = end − start. With 10 ms probes the start is at most one interval late, the end at
 *   most one interval + one round trip late, so the error is about ±10–20 ms on an idle machine.
 * - An outage still open when probes stop ends at the last probe's response (marked by `open`).
 * - A window made only of slow probes (no hard failure) is an outage only if the probe loop kept
 *   its pace through it (≥ half of its slots sent). When the *client* is starved (a blocked event
 *   loop, an overloaded host) it sends nothing and reads responses late; such a window says nothing
 *   about the service and is returned apart as a client stall.
 */
export interface OutageOptions {
  stallMs: number;
  /** Probe interval; needed to judge whether the client kept its pace through a stall. */
  intervalMs: number;
}

export interface OutageFindings {
  outages: (Outage & { open?: boolean })[];
  clientStalls: { startMs: number; durationMs: number }[];
}

export function findOutages(samples: readonly ProbeSample[], opts: OutageOptions): OutageFindings {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const outages: (Outage & { open?: boolean })[] = [];
  const clientStalls: { startMs: number; durationMs: number }[] = [];
  let start: number | null = null;
  let failed = 0;
  let sawHard = false;
  let lastEnd = 0;
  const sentBetween = (from: number, to: number): number => sorted.filter((s) => s.t >= from && s.t < to).length;
  const close = (end: number, open: boolean): void => {
    if (start === null) return;
    const durationMs = round(end - start);
    const keptPace = sentBetween(start, end) >= (0.5 * (end - start)) / opts.intervalMs;
    if (!sawHard && !keptPace) {
      clientStalls.push({ startMs: round(start), durationMs });
    } else {
      const outage: Outage & { open?: boolean } = { startMs: round(start), durationMs, failedProbes: failed, kind: sawHard ? "failures" : "stall" };
      if (open) outage.open = true;
      outages.push(outage);
    }
    start = null;
  };
  for (const s of sorted) {
    lastEnd = Math.max(lastEnd, s.t + s.latencyMs);
    if (s.error === "keepalive-close") continue;
    const bad = s.error === "hard" || s.latencyMs > opts.stallMs;
    if (bad) {
      if (start === null) {
        start = s.t;
        failed = 0;
        sawHard = false;
      }
      failed++;
      if (s.error === "hard") sawHard = true;
      continue;
    }
    close(s.t + s.latencyMs, false);
  }
  close(lastEnd, true);
  return { outages, clientStalls };
}

function mostCommonColor(samples: readonly ProbeSample[]): Color | null {
  let blue = 0;
  let green = 0;
  for (const s of samples) {
    if (s.color === "blue") blue++;
    else if (s.color === "green") green++;
  }
  if (blue === 0 && green === 0) return null;
  return blue >= green ? "blue" : "green";
}

/**
 * Which color served before and after, and when the change happened.
 * old = the color that answered most baseline probes (before the operation started);
 * new = the color that answered most probes after the "during" window.
 */
export function computeColorTimeline(samples: readonly ProbeSample[], during: OperationWindow): ColorTimeline {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const colored = sorted.filter((s) => s.error === null && s.color !== null);
  const before = colored.filter((s) => s.t < during.startMs);
  const after = colored.filter((s) => s.t >= during.endMs);
  const oldColor = mostCommonColor(before) ?? colored[0]?.color ?? null;
  const newColor = mostCommonColor(after) ?? colored[colored.length - 1]?.color ?? null;
  const lastOld = [...colored].reverse().find((s) => s.color === oldColor);
  const lastOldMs = lastOld ? round(lastOld.t) : null;
  if (oldColor === null || newColor === null || oldColor === newColor) {
    return { oldColor, newColor, lastOldMs, firstNewMs: null, overlapMs: 0 };
  }
  const firstNew = colored.find((s) => s.color === newColor);
  const firstNewMs = firstNew ? round(firstNew.t) : null;
  const overlapMs = lastOldMs !== null && firstNewMs !== null ? Math.max(0, round(lastOldMs - firstNewMs)) : 0;
  return { oldColor, newColor, lastOldMs, firstNewMs, overlapMs };
}

/** The window judged as "during": the operation, at least `minMs` long (effects outlast a 20 ms API call). */
export function duringWindow(operation: OperationWindow, minMs: number): OperationWindow {
  return { startMs: operation.startMs, endMs: Math.max(operation.endMs, operation.startMs + minMs) };
}
