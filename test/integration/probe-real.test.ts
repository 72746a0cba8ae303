import { afterEach, describe, expect, it } from "vitest";
import { startClock } from "../../load/clock.js";
import { startProbeLoop } from "../../load/probe.js";
import { findOutages } from "../../load/timeline.js";
import { summarizeLatency } from "../../load/stats.js";
import { startLocalApp, type LocalApp } from "../unit/load/local-servers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let app: LocalApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

/**
 * A fixed ±40 ms: the harness's resolution (10 ms probes + a round trip at each edge of the
 * outage) plus an honest margin for the event-loop lag of this shared 2-core box. Not widened by
 * what the run measured: a loop that lags more than that fails the test, as it should.
 */
const TOLERANCE_MS = 40;

async function probeFor(url: string, ms: number, during?: () => Promise<void>) {
  const clock = startClock();
  const loop = startProbeLoop({ url, intervalMs: 10, maxDurationMs: ms + 2000, timeoutMs: 1000, clock });
  const side = during?.();
  await sleep(ms);
  await side;
  await loop.stop();
  return loop;
}

describe("probe loop against real 127.0.0.1 servers", () => {
  it("records color and status of every probe at a steady 10 ms pace", async () => {
    app = await startLocalApp(18401, "green");
    const t0 = performance.now();
    const loop = await probeFor(app.url, 1000);
    const slots = (performance.now() - t0) / 10;
    // Fixed rate: every 10 ms slot is either probed or counted as skipped (a blocked event loop).
    expect(loop.samples.length + loop.skippedSlots()).toBeGreaterThanOrEqual(90);
    expect(loop.samples.length + loop.skippedSlots()).toBeLessThanOrEqual(slots + 1);
    expect(loop.samples.length).toBeGreaterThan(10);
    expect(Math.min(...loop.jitterMs)).toBeGreaterThanOrEqual(-0.5);
    expect(loop.samples.every((s) => s.error === null && s.status === 200 && s.color === "green")).toBe(true);
    // Sockets are reused: after the first few connections nearly every probe rides a kept-alive one.
    expect(loop.samples.filter((s) => s.reusedSocket).length).toBeGreaterThan(loop.samples.length * 0.9);
  });

  it("counts a server closing reused keep-alive sockets under requests as keep-alive closes, not hard", async () => {
    app = await startLocalApp(18402);
    app.onRequest = (req, _res, n) => {
      if (n < 2) return false;
      req.socket.destroy(); // the reused socket dies under the request
      return true;
    };
    const loop = await probeFor(app.url, 1000);
    const ka = loop.samples.filter((s) => s.error === "keepalive-close");
    expect(ka.length).toBeGreaterThan(5);
    expect(ka.every((s) => s.reusedSocket === true)).toBe(true);
    expect(loop.samples.filter((s) => s.error === "hard")).toEqual([]);
  });

  it("counts a reset on a fresh connection as hard", async () => {
    app = await startLocalApp(18403);
    app.onRequest = (req) => {
      req.socket.destroy();
      return true;
    };
    const loop = await probeFor(app.url, 500);
    expect(loop.samples.length).toBeGreaterThan(10);
    expect(loop.samples.every((s) => s.error === "hard" && s.reusedSocket === false)).toBe(true);
  });

  it("measures a 300 ms stop of the server as one outage within ±40 ms of the real one", async () => {
    app = await startLocalApp(18404);
    const local = app;
    let real = 0;
    const loop = await probeFor(local.url, 1500, async () => {
      await sleep(500);
      const { downAt, upAt } = await local.stopFor(300);
      real = upAt - downAt;
    });
    const outages = findOutages(loop.samples, { gapMs: 200, intervalMs: 10 }).outages;
    expect(outages).toHaveLength(1);
    expect(outages[0]?.kind).toBe("failures");
    expect(Math.abs((outages[0]?.durationMs ?? 0) - real)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(loop.samples.some((s) => s.errorCode === "ECONNREFUSED")).toBe(true);
  });

  it("measures a 300 ms freeze (requests hang, nothing fails) as a stall outage within ±40 ms", async () => {
    app = await startLocalApp(18405);
    const local = app;
    let frozen = false;
    const held: (() => void)[] = [];
    local.onRequest = (_req, res) => {
      if (!frozen) return false;
      held.push(() => {
        res.setHeader("X-App-Color", "blue");
        res.end("{}");
      });
      return true;
    };
    let real = 0;
    const loop = await probeFor(local.url, 1500, async () => {
      await sleep(500);
      const from = performance.now();
      frozen = true;
      await sleep(300);
      frozen = false;
      for (const release of held.splice(0)) release();
      real = performance.now() - from;
    });
    const outages = findOutages(loop.samples, { gapMs: 200, intervalMs: 10 }).outages;
    if (outages.length !== 1) console.log(JSON.stringify(outages), loop.skippedSlots(), summarizeLatency(loop.jitterMs));
    expect(outages).toHaveLength(1);
    expect(outages[0]?.kind).toBe("stall");
    expect(Math.abs((outages[0]?.durationMs ?? 0) - real)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(loop.samples.filter((s) => s.error !== null)).toEqual([]);
  });

  it("stops at its count bound", async () => {
    app = await startLocalApp(18406);
    const loop = startProbeLoop({ url: app.url, intervalMs: 10, maxDurationMs: 10_000, maxCount: 15, clock: startClock() });
    await loop.finished;
    await loop.stop();
    expect(loop.samples.length).toBe(15);
  });
});
