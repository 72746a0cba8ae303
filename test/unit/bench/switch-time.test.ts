import { describe, expect, it } from "vitest";
import { deployOverhead } from "../../../bench/overhead.js";
import { timingFromSamples } from "../../../bench/switch-time.js";
import type { ProbeSample } from "../../../load/types.js";
import type { OperationResult } from "../../../src/engine/events.js";

const probe = (t: number, color: "blue" | "green" | null, error: ProbeSample["error"] = null): ProbeSample => ({
  t,
  status: error ? null : 200,
  latencyMs: 2,
  color,
  error,
  ...(error ? { errorCode: error === "hard" ? "ECONNREFUSED" : "ECONNRESET" } : {}),
});

describe("switch time from probes", () => {
  it("is the send time of the first probe after which every probe came from the new color, from the command start", () => {
    const samples = [probe(1000, "blue"), probe(1005, "green"), probe(1010, "blue"), probe(1020, "green"), probe(1015, "green"), probe(1025, "green")];
    const timing = timingFromSamples(samples, "green", 1000, 30);
    expect(timing.newColorMs).toBe(15);
    expect(timing.probes).toBe(6);
    expect(timing.commandMs).toBe(30);
  });

  it("counts a failed probe as not served by the new color, and classes it", () => {
    const samples = [probe(1000, "green"), probe(1005, null, "keepalive-close"), probe(1010, "green")];
    const timing = timingFromSamples(samples, "green", 1000, 5);
    expect(timing.newColorMs).toBe(10);
    expect(timing.keepAliveCloses).toBe(1);
    expect(timing.hard).toBe(0);
    expect(timing.codes).toEqual({ ECONNRESET: 1 });
  });

  it("is null when the last probe of the window still came from the old color", () => {
    expect(timingFromSamples([probe(1000, "green"), probe(1005, "blue")], "green", 1000, 5).newColorMs).toBeNull();
    expect(timingFromSamples([], "green", 1000, 5).newColorMs).toBeNull();
  });
});

describe("deploy overhead", () => {
  it("is the engine's total minus the app's phases and the configured verify duration", () => {
    const result = {
      outcome: "success",
      durationMs: 20_000,
      phases: [
        { phase: "preflight", status: "ok", ms: 100 },
        { phase: "shared", status: "skipped", ms: 0 },
        { phase: "build", status: "ok", ms: 5000 },
        { phase: "start", status: "ok", ms: 6000 },
        { phase: "health", status: "ok", ms: 7000 },
        { phase: "switch", status: "ok", ms: 50 },
        { phase: "verify", status: "ok", ms: 1050 },
      ],
    } as OperationResult;
    const o = deployOverhead(result, "v2", 20_600, 1000);
    expect(o.appMs).toBe(18_000);
    expect(o.overheadMs).toBe(1000);
    expect(o.overheadWallMs).toBe(1600);
    expect(o.phases).not.toHaveProperty("shared");
  });
});

describe("mergeTimings: one switch seen through every proxy replica's URL", () => {
  it("is done when the slowest URL is, and adds up probes and failures", async () => {
    const { mergeTimings } = await import("../../../bench/switch-time.js");
    const t = (newColorMs: number | null, hard: number) => ({ to: "green" as const, commandMs: 40, newColorMs, probes: 10, hard, keepAliveCloses: 0, codes: (hard ? { "http-502": hard } : {}) as Record<string, number> });
    expect(mergeTimings([t(12, 0), t(95, 1), t(30, 0)])).toEqual({ to: "green", commandMs: 40, newColorMs: 95, probes: 30, hard: 1, keepAliveCloses: 0, codes: { "http-502": 1 } });
    expect(mergeTimings([t(12, 0), t(null, 0)]).newColorMs).toBeNull();
  });
});
