import { describe, expect, it } from "vitest";
import { findOutages } from "../../../load/timeline.js";
import { evaluateCriteria, verdictOf } from "../../../load/verdict.js";
import { DEFAULT_THRESHOLDS, type ProbeSample, type Thresholds } from "../../../load/types.js";
import { emptyWsSummary } from "../../../load/ws-sessions.js";
import { parseMaxKeepAliveCloses, parseMaxStall } from "../../../src/cli/commands/verify.js";
import { UsageError } from "../../../src/cli/usage.js";

const ok = (t: number, latencyMs = 2): ProbeSample => ({ t, status: 200, latencyMs, color: "blue", error: null });

/** 10 ms probes for 2 s; the service freezes for `frozenMs` from 1000 ms: probes sent meanwhile answer when it resumes. */
function frozen(frozenMs: number): ProbeSample[] {
  const out: ProbeSample[] = [];
  const resume = 1000 + frozenMs;
  for (let t = 0; t < 2000; t += 10) out.push(t >= 1000 && t < resume ? ok(t, resume - t) : ok(t));
  return out;
}

const lat = { count: 100, p50: 2, p90: 3, p99: 5, max: 9 };
function verdict(samples: ProbeSample[], th: Partial<Thresholds> = {}, keepAliveCloses = 0): "PASS" | "FAIL" {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...th };
  const { outages } = findOutages(samples, { gapMs: thresholds.gapMs, intervalMs: 10 });
  return verdictOf(
    evaluateCriteria({ probesOk: samples.length, hard: 0, hardByCode: {}, keepAliveCloses, outages, ws: emptyWsSummary(), latency: { before: lat, during: lat }, thresholds }),
  );
}

describe("stalls under the default 300 ms limit", () => {
  it.each([100, 200])("reports a %i ms freeze as a stall with its window but passes", (ms) => {
    const found = findOutages(frozen(ms), { gapMs: 300, intervalMs: 10 });
    // From the last answer before the freeze (990 + 2 ms) to the resume.
    expect(found.stalls).toEqual([{ startMs: 992, endMs: 1000 + ms, durationMs: ms + 8 }]);
    expect(found.outages).toEqual([]);
    expect(verdict(frozen(ms))).toBe("PASS");
  });

  it("reports a 400 ms freeze as a stall and an outage, and fails", () => {
    const found = findOutages(frozen(400), { gapMs: 300, intervalMs: 10 });
    expect(found.stalls).toEqual([{ startMs: 992, endMs: 1400, durationMs: 408 }]);
    expect(found.outages).toMatchObject([{ startMs: 992, durationMs: 408, kind: "stall" }]);
    expect(verdict(frozen(400))).toBe("FAIL");
  });

  it("reports no stall when answers keep coming every 10 ms", () => {
    expect(findOutages(frozen(0), { gapMs: 300, intervalMs: 10 }).stalls).toEqual([]);
  });

  it("does not report a 40 ms gap (under the 50 ms reporting floor)", () => {
    expect(findOutages(frozen(40), { gapMs: 300, intervalMs: 10 }).stalls).toEqual([]);
  });
});

describe("--max-stall", () => {
  it("fails a 200 ms freeze when the limit is 150 ms and passes it at the default", () => {
    expect(verdict(frozen(200), { gapMs: parseMaxStall("150ms") })).toBe("FAIL");
    expect(verdict(frozen(200))).toBe("PASS");
  });

  it("passes a 400 ms freeze when the limit is 1s", () => {
    expect(verdict(frozen(400), { gapMs: parseMaxStall("1s") })).toBe("PASS");
  });

  it("parses durations with units and refuses nonsense", () => {
    expect(parseMaxStall("300ms")).toBe(300);
    expect(parseMaxStall("2s")).toBe(2000);
    expect(() => parseMaxStall("fast")).toThrow(UsageError);
    expect(() => parseMaxStall("5ms")).toThrow(/from 10ms to 1m/);
  });
});

describe("--max-keepalive-closes", () => {
  it("is unlimited by default: any number of keep-alive closes passes", () => {
    expect(DEFAULT_THRESHOLDS.maxKeepAliveCloses).toBeNull();
    expect(verdict(frozen(0), {}, 1000)).toBe("PASS");
  });

  it("fails when the closes exceed the limit and passes at the limit", () => {
    expect(verdict(frozen(0), { maxKeepAliveCloses: parseMaxKeepAliveCloses("2") }, 3)).toBe("FAIL");
    expect(verdict(frozen(0), { maxKeepAliveCloses: parseMaxKeepAliveCloses("2") }, 2)).toBe("PASS");
    expect(verdict(frozen(0), { maxKeepAliveCloses: parseMaxKeepAliveCloses("0") }, 1)).toBe("FAIL");
  });

  it('parses "unlimited" and whole numbers, refusing the rest', () => {
    expect(parseMaxKeepAliveCloses("unlimited")).toBeNull();
    expect(() => parseMaxKeepAliveCloses("-1")).toThrow(UsageError);
    expect(() => parseMaxKeepAliveCloses("1.5")).toThrow(UsageError);
  });
});
