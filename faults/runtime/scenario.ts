/** What every runtime scenario shares: load through the live route around the fault, timing, the result. */
import { lost, startCounter, type CounterReport } from "../../testkit/counter/index.js";
import type { ScenarioResult } from "../types.js";
import type { FaultStack } from "./fault-stack.js";

/**
 * The independent counter (testkit/counter: its own process, none of the product's code) sends
 * 100 requests a second over keep-alive connections and 25 a second on fresh ones, open loop, so
 * a gap of 50 ms is visible and a queue in one client pool cannot turn into failures.
 */
export const COUNTER_RATES = { keepAliveRps: 100, freshRps: 25 } as const;

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
  /** Wall-clock time the counter started sending. */
  startedAt: number;
  report: CounterReport | null;
}

/**
 * Runs `body` with the independent counter sending through the live route and turns what it counted
 * into a ScenarioResult. Any lost request outside the scenario's declared fault window fails it.
 */
export async function underLoad(name: string, stack: FaultStack, body: (load: Loaded) => Promise<Verdict>): Promise<ScenarioResult> {
  const t0 = Date.now();
  const counter = startCounter(stack.liveUrl, { ...COUNTER_RATES, maxSeconds: 300 });
  await counter.ready;
  const load: Loaded = { startedAt: Date.now(), report: null };
  let verdict: Verdict;
  try {
    verdict = await body(load);
  } catch (err) {
    verdict = { problems: [`scenario error: ${err instanceof Error ? err.message : String(err)}`], notes: [] };
  }
  const r = await counter.stop();
  load.report = r;
  const hard = lost(r);
  const window = verdict.tolerateHardIn;
  const tolerated = window ? r.failuresAt.filter((f) => f.at >= window.from && f.at <= window.to).length : 0;
  if (window) verdict.notes.push(`${tolerated} lost inside the ${window.why} window (${window.to - window.from} ms), ${hard - tolerated} outside it`);
  const byClass = Object.entries(r.failures).map(([c, n]) => `${c} ${n}`).join(", ");
  const first = r.failuresAt[0] ? ` first loss: ${r.failuresAt[0].class} (${r.failuresAt[0].mode}) at +${r.failuresAt[0].at - load.startedAt} ms;` : "";
  const colors = Object.entries(r.colors).map(([c, n]) => `${c} ${n}`).join(", ");
  const longest = r.gaps.reduce((m, g) => Math.max(m, g.ms), 0);
  return {
    name,
    runs: verdict.runs ?? 1,
    requests: r.requests,
    hard,
    ...(window ? { allowedHard: tolerated } : {}),
    endStateCorrect: verdict.problems.length === 0,
    seconds: (Date.now() - t0) / 1000,
    detail: [
      ...verdict.problems.map((p) => `PROBLEM: ${p}`),
      ...verdict.notes,
      `counter: ${r.requests} requests at ${r.ratePerSec}/s, lost ${hard}${byClass ? ` (${byClass})` : ""}${r.unanswered ? `, ${r.unanswered} unanswered` : ""}, ${r.gaps.length} gaps ≥ 50 ms (longest ${longest} ms), ${r.keepAliveResets} keep-alive resets, ${r.skipped} slots skipped by the counter;${first}`,
      `served by ${colors || "nobody"}`,
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
