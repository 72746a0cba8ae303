import { describe, expect, it } from "vitest";
import { computeColorTimeline, duringWindow, findOutages } from "../../../load/timeline.js";
import type { ProbeSample } from "../../../load/types.js";
import type { Color } from "../../../src/domain/color.js";

const ok = (t: number, color: Color = "blue", latencyMs = 2): ProbeSample => ({ t, status: 200, latencyMs, color, error: null });
const hard = (t: number, code = "ECONNREFUSED", latencyMs = 1): ProbeSample => ({ t, status: null, latencyMs, color: null, error: "hard", errorCode: code });
const ka = (t: number): ProbeSample => ({ t, status: null, latencyMs: 1, color: null, error: "keepalive-close", errorCode: "UND_ERR_SOCKET", reusedSocket: true });

function every10(from: number, to: number, make: (t: number) => ProbeSample): ProbeSample[] {
  const out: ProbeSample[] = [];
  for (let t = from; t < to; t += 10) out.push(make(t));
  return out;
}

const opts = { gapMs: 200, intervalMs: 10 };

describe("findOutages", () => {
  it("reports nothing when every probe succeeded promptly", () => {
    expect(findOutages(every10(0, 1000, (t) => ok(t)), opts).outages).toEqual([]);
  });

  it("runs an outage from the last answer before the failures to the next successful answer", () => {
    const samples = [...every10(0, 500, (t) => ok(t)), ...every10(500, 800, (t) => hard(t)), ...every10(800, 1000, (t) => ok(t, "blue", 3))];
    const outages = findOutages(samples, opts).outages;
    // The failures start at 500 ms; the last answer before them arrived at 492 ms: the windows merge.
    expect(outages).toEqual([{ startMs: 492, durationMs: 311, failedProbes: 30, kind: "failures" }]);
  });

  it("treats probes that hang until the service resumes as one stall outage ending at the resume", () => {
    // Frozen from 500 to 800 ms: every probe sent meanwhile answers at 800 ms.
    const samples = [...every10(0, 500, (t) => ok(t)), ...every10(500, 800, (t) => ok(t, "blue", 800 - t)), ...every10(800, 1000, (t) => ok(t))];
    const outages = findOutages(samples, opts).outages;
    // From the last answer before the freeze (490 + 2) to the first after it (800).
    expect(outages).toMatchObject([{ startMs: 492, durationMs: 308, kind: "stall" }]);
  });

  it("does not call slow but steady answers an outage", () => {
    // Every probe takes 400 ms, yet answers keep arriving every 10 ms: slow, not down.
    expect(findOutages(every10(0, 2000, (t) => ok(t, "blue", 400)), opts).outages).toEqual([]);
  });

  it("merges a failure window with the gap around it", () => {
    const samples = [...every10(0, 500, (t) => ok(t)), ...every10(500, 600, (t) => ok(t, "blue", 900 - t)), ...every10(600, 900, (t) => hard(t, "timeout", 5)), ...every10(900, 1000, (t) => ok(t))];
    const { outages } = findOutages(samples, opts);
    expect(outages).toHaveLength(1);
    expect(outages[0]).toMatchObject({ startMs: 492, durationMs: 410, kind: "failures" });
  });

  it("does not count keep-alive closes as an outage", () => {
    const samples = [...every10(0, 500, (t) => ok(t)), ka(505), ...every10(510, 1000, (t) => ok(t))];
    expect(findOutages(samples, opts).outages).toEqual([]);
  });

  it("closes an outage still open when probing stopped at the last response", () => {
    const samples = [ok(0), hard(10, "ECONNREFUSED", 5), hard(20, "ECONNREFUSED", 5)];
    expect(findOutages(samples, opts).outages).toEqual([{ startMs: 10, durationMs: 15, failedProbes: 2, kind: "failures", open: true }]);
  });

  it("sets a slow window aside as a client stall when the probe loop itself could not keep pace", () => {
    // The client was starved: one probe at 500 ms took 250 ms and nothing else was sent meanwhile.
    const samples = [...every10(0, 500, (t) => ok(t)), ok(500, "blue", 250), ...every10(760, 1000, (t) => ok(t))];
    expect(findOutages(samples, opts)).toEqual({ outages: [], stalls: [], clientStalls: [{ startMs: 492, durationMs: 258 }] });
  });

  it("sorts by send time even when samples were recorded in completion order", () => {
    const samples = [ok(20), hard(10, "http-503", 20), ok(0)];
    expect(findOutages(samples, opts).outages).toEqual([{ startMs: 10, durationMs: 12, failedProbes: 1, kind: "failures" }]);
  });
});

describe("computeColorTimeline", () => {
  it("finds the last old and first new response and the overlap where both served", () => {
    const samples = [...every10(0, 1000, (t) => ok(t, "blue")), ok(1000, "green"), ok(1010, "blue"), ok(1020, "green"), ...every10(1030, 3000, (t) => ok(t, "green"))];
    const during = duringWindow({ startMs: 990, endMs: 1030 }, 1000);
    expect(computeColorTimeline(samples, during)).toEqual({ oldColor: "blue", newColor: "green", lastOldMs: 1012, firstNewMs: 1002, overlapMs: 10 });
  });

  it("reports no new color when the live color did not change", () => {
    const samples = every10(0, 3000, (t) => ok(t, "green"));
    const tl = computeColorTimeline(samples, { startMs: 1000, endMs: 2000 });
    expect(tl).toEqual({ oldColor: "green", newColor: "green", lastOldMs: 2992, firstNewMs: null, overlapMs: 0 });
  });

  it("widens a short operation to the minimum during window", () => {
    expect(duringWindow({ startMs: 2000, endMs: 2020 }, 1000)).toEqual({ startMs: 2000, endMs: 3000 });
    expect(duringWindow({ startMs: 2000, endMs: 5000 }, 1000)).toEqual({ startMs: 2000, endMs: 5000 });
  });
});
