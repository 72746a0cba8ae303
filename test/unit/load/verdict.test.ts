import { describe, expect, it } from "vitest";
import { evaluateCriteria, verdictOf, type VerdictInput } from "../../../load/verdict.js";
import { summarizeLatency, percentileSorted } from "../../../load/stats.js";
import { DEFAULT_THRESHOLDS, type WsSummary } from "../../../load/types.js";
import { emptyWsSummary } from "../../../load/ws-sessions.js";

const ws = (over: Partial<WsSummary> = {}): WsSummary => ({ ...emptyWsSummary(), sessions: 4, newSessionsOk: 10, ...over });
const lat = (p99: number) => ({ count: 100, p50: p99 / 2, p90: p99, p99, max: p99 });
const clean = (over: Partial<VerdictInput> = {}): VerdictInput => ({
  probesOk: 500,
  hard: 0,
  hardByCode: {},
  keepAliveCloses: 0,
  outages: [],
  ws: ws(),
  latency: { before: lat(2), during: lat(3) },
  thresholds: DEFAULT_THRESHOLDS,
  ...over,
});
const failed = (input: VerdictInput) => evaluateCriteria(input).filter((c) => !c.ok).map((c) => c.name);

describe("verdict", () => {
  it("passes a run without errors", () => {
    const criteria = evaluateCriteria(clean());
    expect(verdictOf(criteria)).toBe("PASS");
    expect(criteria.map((c) => c.name)).toEqual([
      "probes-answered",
      "no-hard-failures",
      "no-outage",
      "ws-no-abnormal-closes",
      "ws-new-sessions",
      "latency-p99-ratio",
      "keep-alive-closes",
    ]);
  });

  it("fails on a single 5xx and names it", () => {
    const criteria = evaluateCriteria(clean({ hard: 1, hardByCode: { "http-503": 1 } }));
    expect(verdictOf(criteria)).toBe("FAIL");
    expect(criteria.find((c) => c.name === "no-hard-failures")?.detail).toContain("http-503×1");
  });

  it("reports keep-alive closes apart and passes them by default", () => {
    const criteria = evaluateCriteria(clean({ keepAliveCloses: 7 }));
    expect(verdictOf(criteria)).toBe("PASS");
    expect(criteria.find((c) => c.name === "keep-alive-closes")?.detail).toContain("7 keep-alive closes");
    expect(failed(clean({ keepAliveCloses: 7, thresholds: { ...DEFAULT_THRESHOLDS, maxKeepAliveCloses: 5 } }))).toEqual(["keep-alive-closes"]);
  });

  it("fails on an outage, an abnormal WebSocket close, a failed upgrade and a no-traffic run", () => {
    expect(failed(clean({ outages: [{ startMs: 10, durationMs: 300, failedProbes: 30, kind: "stall" }] }))).toEqual(["no-outage"]);
    expect(failed(clean({ ws: ws({ abnormalCloses: 1 }) }))).toEqual(["ws-no-abnormal-closes"]);
    expect(failed(clean({ ws: ws({ newSessionsFailed: 2 }) }))).toEqual(["ws-new-sessions"]);
    expect(failed(clean({ probesOk: 0 }))).toEqual(["probes-answered"]);
  });

  it("compares p99 during with a floored baseline", () => {
    // baseline 1 ms is floored to 10 ms: limit 100 ms.
    expect(failed(clean({ latency: { before: lat(1), during: lat(90) } }))).toEqual([]);
    expect(failed(clean({ latency: { before: lat(1), during: lat(120) } }))).toEqual(["latency-p99-ratio"]);
    expect(failed(clean({ latency: { before: lat(20), during: lat(190) } }))).toEqual([]);
  });
});

describe("stats", () => {
  it("computes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarizeLatency(values)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    expect(percentileSorted([], 99)).toBe(0);
    expect(summarizeLatency([5])).toEqual({ count: 1, p50: 5, p90: 5, p99: 5, max: 5 });
  });
});
