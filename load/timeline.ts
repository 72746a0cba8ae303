import type { Color } from "../src/domain/color.js";
import type { ColorTimeline, OperationWindow, Outage, ProbeSample, Stall } from "./types.js";
import { round } from "./stats.js";

/**
 * Outage rule. An outage is the union of two kinds of window:
 * 1. Failures: walking probes in send order, a window starts at the send time of the first hard
 *    failure after a success and ends when the next successful probe's response arrives
 *    (duration = that arrival − the first failure's send time).
 * 2. Gaps: the service answered nothing for longer than `gapMs` — two consecutive successful
 *    responses (by arrival time) more than `gapMs` apart while probes were being sent. A frozen
 *    proxy fails nothing: requests hang and all come back when it resumes, so the gap between the
 *    last answer before the freeze and the first after it is the outage.
 * Every paced gap of STALL_REPORT_MS (50 ms) or more is also returned as a stall with its window,
 * so a 100 ms freeze is reported even though only gaps over `gapMs` fail the verdict.
 * Overlapping windows merge. Keep-alive closes are neutral (the service was up, the socket stale).
 * With 10 ms probes both edges are within about one interval + one round trip, ±10–20 ms on an
 * idle machine.
 * A gap is only judged if the probe loop kept its pace through it (≥ half of its slots sent):
 * when the *harness* is starved of CPU it sends nothing and reads answers late, which says nothing
 * about the service. Such gaps are returned apart as client stalls.
 * A failure window still open when probing stopped ends at the last response (marked `open`).
 */
export interface OutageOptions {
  /** Longest tolerated gap between successful responses (`verify --max-stall`, 300 ms by default). */
  gapMs: number;
  /** Gaps of at least this long are reported as stalls even when tolerated (default STALL_REPORT_MS). */
  reportStallMs?: number;
  /** Probe interval; needed to judge whether the client kept its pace through a gap. */
  intervalMs: number;
}

/** Every stall of 50 ms or more is reported, whatever the failing threshold: a 100 ms freeze is news. */
export const STALL_REPORT_MS = 50;

export interface OutageFindings {
  outages: (Outage & { open?: boolean })[];
  /**
   * Every window of at least `reportStallMs` with no successful answer while the probe loop kept
   * its pace, tolerated or not (the ones over `gapMs` are outages too).
   */
  stalls: Stall[];
  clientStalls: { startMs: number; durationMs: number }[];
}

interface Window {
  start: number;
  end: number;
  hard: boolean;
  open: boolean;
}

function failureWindows(sorted: readonly ProbeSample[]): Window[] {
  const windows: Window[] = [];
  let start: number | null = null;
  let lastEnd = 0;
  for (const s of sorted) {
    lastEnd = Math.max(lastEnd, s.t + s.latencyMs);
    if (s.error === "hard") {
      start ??= s.t;
    } else if (s.error === null && start !== null) {
      windows.push({ start, end: s.t + s.latencyMs, hard: true, open: false });
      start = null;
    }
  }
  if (start !== null) windows.push({ start, end: lastEnd, hard: true, open: true });
  return windows;
}

export function findOutages(samples: readonly ProbeSample[], opts: OutageOptions): OutageFindings {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const sends = sorted.map((s) => s.t);
  const sentBetween = (from: number, to: number): number => {
    let n = 0;
    for (const t of sends) if (t > from && t < to) n++;
    return n;
  };
  const clientStalls: { startMs: number; durationMs: number }[] = [];
  const stalls: Stall[] = [];
  const reportMs = Math.min(opts.reportStallMs ?? STALL_REPORT_MS, opts.gapMs);
  const windows = failureWindows(sorted);
  const arrivals = sorted.filter((s) => s.error === null).map((s) => s.t + s.latencyMs).sort((a, b) => a - b);
  for (let i = 1; i < arrivals.length; i++) {
    const from = arrivals[i - 1] ?? 0;
    const to = arrivals[i] ?? 0;
    if (to - from < reportMs) continue;
    const paced = sentBetween(from, to) >= (0.5 * (to - from)) / opts.intervalMs;
    if (!paced) {
      if (to - from > opts.gapMs) clientStalls.push({ startMs: round(from), durationMs: round(to - from) });
      continue;
    }
    stalls.push({ startMs: round(from), endMs: round(to), durationMs: round(to - from) });
    if (to - from > opts.gapMs) windows.push({ start: from, end: to, hard: false, open: false });
  }
  windows.sort((a, b) => a.start - b.start);
  const merged: Window[] = [];
  for (const w of windows) {
    const last = merged[merged.length - 1];
    if (last && w.start <= last.end) {
      last.end = Math.max(last.end, w.end);
      last.hard ||= w.hard;
      last.open ||= w.open;
    } else {
      merged.push({ ...w });
    }
  }
  const outages = merged.map((w) => {
    // Probes that were inside the window and got no timely answer: hard, or answered only at its end.
    const failedProbes = sorted.filter(
      (s) => s.t >= w.start && s.t < w.end && (s.error === "hard" || (s.t + s.latencyMs >= w.end - 1 && s.latencyMs > opts.intervalMs)),
    ).length;
    const outage: Outage & { open?: boolean } = {
      startMs: round(w.start),
      durationMs: round(w.end - w.start),
      failedProbes,
      kind: w.hard ? "failures" : "stall",
    };
    if (w.open) outage.open = true;
    return outage;
  });
  return { outages, stalls, clientStalls };
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
 * Which color served before and after, and when the change happened, by the time responses arrived
 * (a request sent just before a switch may well be answered by the new color).
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
  const arrival = (s: ProbeSample): number => round(s.t + s.latencyMs);
  const lastOld = colored.filter((s) => s.color === oldColor).reduce<ProbeSample | null>((m, s) => (m && arrival(m) >= arrival(s) ? m : s), null);
  const lastOldMs = lastOld ? arrival(lastOld) : null;
  if (oldColor === null || newColor === null || oldColor === newColor) {
    return { oldColor, newColor, lastOldMs, firstNewMs: null, overlapMs: 0 };
  }
  const firstNew = colored.filter((s) => s.color === newColor).reduce<ProbeSample | null>((m, s) => (m && arrival(m) <= arrival(s) ? m : s), null);
  const firstNewMs = firstNew ? arrival(firstNew) : null;
  const overlapMs = lastOldMs !== null && firstNewMs !== null ? Math.max(0, round(lastOldMs - firstNewMs)) : 0;
  return { oldColor, newColor, lastOldMs, firstNewMs, overlapMs };
}

/** The window judged as "during": the operation, at least `minMs` long (effects outlast a 20 ms API call). */
export function duringWindow(operation: OperationWindow, minMs: number): OperationWindow {
  return { startMs: operation.startMs, endMs: Math.max(operation.endMs, operation.startMs + minMs) };
}
