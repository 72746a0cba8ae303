/** What every runtime scenario shares: load through the live route around the fault, timing, the result. */
import { startTraffic, type TrafficSummary } from "../../testkit/bluegreen-stack.js";
import type { ScenarioResult } from "../types.js";
import type { FaultStack } from "./fault-stack.js";

/**
 * 10 requests a second through the live route. Faster loops (the helper's 20 ms default) queue up in
 * the client's 4-connection pool once the loaded machine answers in 100–400 ms, and queued requests
 * then time out as "hard" failures the stack never saw.
 */
export const TRAFFIC_INTERVAL_MS = 100;

export interface Verdict {
  /** What went wrong with the end state; empty when it is right. */
  problems: string[];
  /** What was observed, for the report line. */
  notes: string[];
  runs?: number;
  /**
   * A window (wall clock) in which hard failures are tolerated and reported, e.g. between a release
   * crashing and the switch back. Failures outside it still fail the scenario.
   */
  tolerateHardIn?: { from: number; to: number; why: string };
}

export interface Loaded {
  /** Wall-clock time the request loop started (its samples' t is ms since then). */
  startedAt: number;
  summary: TrafficSummary | null;
  /** Send times (wall clock) of the hard failures, for window checks. */
  hardAt: number[];
}

/** Runs `body` with a request loop through the live route and turns what it reports into a ScenarioResult. */
export async function underLoad(name: string, stack: FaultStack, body: (load: Loaded) => Promise<Verdict>): Promise<ScenarioResult> {
  const t0 = Date.now();
  const traffic = startTraffic(stack.liveUrl, { intervalMs: TRAFFIC_INTERVAL_MS, maxDurationMs: 300_000 });
  const load: Loaded = { startedAt: Date.now(), summary: null, hardAt: [] };
  let verdict: Verdict;
  try {
    verdict = await body(load);
  } catch (err) {
    verdict = { problems: [`scenario error: ${err instanceof Error ? err.message : String(err)}`], notes: [] };
  }
  const summary = await traffic.stop();
  load.summary = summary;
  load.hardAt = traffic.loop.samples.filter((s) => s.error === "hard").map((s) => load.startedAt + s.t);
  const window = verdict.tolerateHardIn;
  const tolerated = window ? load.hardAt.filter((at) => at >= window.from && at <= window.to).length : 0;
  if (window) verdict.notes.push(`${tolerated} hard failures inside the ${window.why} window (${window.to - window.from} ms), ${summary.hard - tolerated} outside it`);
  const first = summary.firstHard ? ` first hard: ${summary.firstHard.errorCode ?? summary.firstHard.status ?? "?"} at +${Math.round(summary.firstHard.t)} ms;` : "";
  const colors = Object.entries(summary.colors).map(([c, n]) => `${c} ${n}`).join(", ");
  return {
    name,
    runs: verdict.runs ?? 1,
    requests: summary.requests,
    hard: summary.hard,
    ...(window ? { allowedHard: tolerated } : {}),
    endStateCorrect: verdict.problems.length === 0,
    seconds: (Date.now() - t0) / 1000,
    detail: [
      ...verdict.problems.map((p) => `PROBLEM: ${p}`),
      ...verdict.notes,
      `served by ${colors || "nobody"}; ${summary.keepAliveCloses} keep-alive closes;${first}`,
    ]
      .join("; ")
      .replace(/;+$/, ""),
  };
}

export function parseResult(stdout: string): { outcome?: string; active?: string | null; message?: string; error?: { kind: string } } | null {
  const lines = stdout.trim().split("\n").reverse();
  for (const line of lines) {
    try {
      const doc = JSON.parse(line) as { type?: string };
      if (doc.type === "result") return doc as never;
    } catch {
      // not JSON
    }
  }
  return null;
}
