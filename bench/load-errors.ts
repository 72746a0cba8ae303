/**
 * Socket errors per switch under keep-alive load: autocannon (the harness's load generator, with its
 * per-connection reuse tracking) keeps N connections busy through the live route while the driver
 * switches back and forth; every failed request is classed as hard or keep-alive close. Busy
 * connections rarely sit idle when a proxy closes idle ones (an nginx reload), so the independent
 * counter process (testkit/counter: keep-alive connections that wait between requests, plus fresh
 * ones) runs beside it and its resets and losses are reported per switch too.
 */
import { startClock } from "../load/clock.js";
import { startLoad } from "../load/autocannon.js";
import { otherColor, type Color } from "../src/domain/color.js";
import { lost, startCounter } from "../testkit/counter/index.js";

export interface LoadErrorsResult {
  connections: number;
  switches: number;
  requests: number;
  hard: number;
  keepAliveCloses: number;
  hardPerSwitch: number;
  keepAliveClosesPerSwitch: number;
  hardByCode: Record<string, number>;
  keepAliveByCode: Record<string, number>;
  reqPerSec: number;
  /** The counter's connections that go idle between requests (about 100 a second kept alive, 25 fresh). */
  idle: { requests: number; lost: number; keepAliveResets: number; lostPerSwitch: number; keepAliveResetsPerSwitch: number } | null;
  error: string | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function errorsUnderLoad(o: {
  liveUrl: string;
  connections: number;
  switches: number;
  spacingMs: number;
  from: Color;
  act: (to: Color) => Promise<void>;
}): Promise<LoadErrorsResult> {
  const clock = startClock();
  const boundMs = o.switches * (o.spacingMs + 3000) + 3000;
  const counter = startCounter(o.liveUrl, { maxSeconds: Math.ceil(boundMs / 1000) + 5 });
  await counter.ready;
  const load = startLoad({ url: o.liveUrl, connections: o.connections, maxDurationMs: boundMs, clock });
  let color = o.from;
  let done = 0;
  let error: string | null = null;
  try {
    await sleep(500);
    for (let i = 0; i < o.switches && clock() < boundMs - 1000; i++) {
      color = otherColor(color);
      try {
        await o.act(color);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        break;
      }
      done++;
      await sleep(o.spacingMs);
    }
  } finally {
    await load.stop();
  }
  const idle = await counter.stop().catch((err: unknown) => {
    error ??= `counter: ${err instanceof Error ? err.message : String(err)}`;
    return null;
  });
  const elapsed = clock();
  const c = load.counts();
  const per = (n: number) => (done > 0 ? Math.round((n / done) * 10) / 10 : 0);
  return {
    connections: o.connections,
    switches: done,
    requests: c.requests,
    hard: c.hard,
    keepAliveCloses: c.keepAliveCloses,
    hardPerSwitch: per(c.hard),
    keepAliveClosesPerSwitch: per(c.keepAliveCloses),
    hardByCode: c.hardByCode,
    keepAliveByCode: c.keepAliveByCode,
    reqPerSec: Math.round(c.requests / (elapsed / 1000)),
    idle: idle && { requests: idle.requests, lost: lost(idle), keepAliveResets: idle.keepAliveResets, lostPerSwitch: per(lost(idle)), keepAliveResetsPerSwitch: per(idle.keepAliveResets) },
    error,
  };
}
