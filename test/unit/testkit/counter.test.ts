/**
 * The independent request counter (testkit/counter) against a local node:http server on 127.0.0.1:
 * it counts at 100+ requests a second without false failures, and it sees a 150 ms stall and a 150 ms
 * outage (a window a 10-requests-a-second probe would see at most one or two probes of).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { lost, startCounter, type Counter, type CounterReport } from "../../../testkit/counter/index.js";

/** The counter's rates in the fault suite (faults/runtime/scenario.ts COUNTER_RATES). */
const RATES = { keepAliveRps: 100, freshRps: 25 } as const;
/** The known window the server stops answering. */
const WINDOW_MS = 150;
/** Slack on the window's bounds: scheduling of two processes on a shared 2-core machine, one send interval. */
const TOLERANCE_MS = 120;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Local {
  server: http.Server;
  port: number;
  url: string;
  /** Requests the server received. */
  received: () => number;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function listen(server: http.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** `handle` decides when to send the answer (default: at once). */
async function localServer(handle: (answer: () => void) => void = (answer) => answer()): Promise<Local> {
  let received = 0;
  const server = http.createServer((req, res) => {
    received++;
    req.resume();
    const answer = () => res.writeHead(200, { "content-type": "text/plain", "x-app-color": "blue" }).end("ok");
    handle(answer);
  });
  const port = await listen(server);
  cleanups.push(async () => {
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((r) => server.close(() => r()));
  });
  return { server, port, url: `http://127.0.0.1:${port}/`, received: () => received };
}

async function run(url: string, body: () => Promise<void>): Promise<CounterReport> {
  const counter: Counter = startCounter(url, { ...RATES, maxSeconds: 30, timeoutMs: 2000 });
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await counter.stop();
  });
  await within(counter.ready, 10_000, "the counter's start");
  await body();
  stopped = true;
  return within(counter.stop(), 10_000, "the counter's stop");
}

const longest = (r: CounterReport) => r.gaps.reduce((m, g) => (g.ms > m.ms ? g : m), { from: 0, to: 0, ms: 0 });

describe("the independent request counter (testkit/counter)", () => {
  it("counts every request to a server that answers, at 100+ a second, with no failure", async () => {
    const srv = await localServer();
    const r = await run(srv.url, () => sleep(2000));
    console.log(`counter, steady: ${r.requests} requests at ${r.ratePerSec}/s, ok ${r.ok}, lost ${lost(r)}, ${r.skipped} skipped, longest gap ${longest(r).ms} ms`);
    expect(r.requests).toBeGreaterThanOrEqual(200);
    expect(r.ratePerSec).toBeGreaterThanOrEqual(100);
    expect(r.ok).toBe(r.requests);
    expect(lost(r)).toBe(0);
    expect(r.failures).toEqual({});
    expect(r.unanswered).toBe(0);
    expect(r.keepAliveResets).toBe(0);
    expect(r.colors).toEqual({ blue: r.ok });
    // Its own count, not an estimate: the server saw exactly the requests the counter reports.
    expect(srv.received()).toBe(r.requests);
  });

  it(`sees a ${WINDOW_MS} ms stall of every answer as one gap of about that length, with no failure`, async () => {
    let stallUntil = 0;
    const srv = await localServer((answer) => {
      const wait = stallUntil - Date.now();
      if (wait > 0) setTimeout(answer, wait);
      else answer();
    });
    let from = 0;
    const r = await run(srv.url, async () => {
      await sleep(700);
      from = Date.now();
      stallUntil = from + WINDOW_MS;
      await sleep(WINDOW_MS + 700);
    });
    const g = longest(r);
    console.log(`counter, ${WINDOW_MS} ms stall: ${r.requests} requests at ${r.ratePerSec}/s, lost ${lost(r)}, longest gap ${g.ms} ms (+${g.from - from} → +${g.to - from} ms from the stall's start), gaps ${JSON.stringify(r.gaps.map((x) => x.ms))}`);
    expect(r.ratePerSec).toBeGreaterThanOrEqual(100);
    expect(lost(r)).toBe(0);
    expect(g.ms).toBeGreaterThanOrEqual(100);
    expect(g.ms).toBeLessThanOrEqual(WINDOW_MS + TOLERANCE_MS);
    // The gap it reports is the stall's, on the wall clock.
    expect(g.from).toBeGreaterThanOrEqual(from - TOLERANCE_MS);
    expect(g.to).toBeLessThanOrEqual(from + WINDOW_MS + TOLERANCE_MS);
  });

  it(`counts the requests lost while the server is down for ${WINDOW_MS} ms, and only those`, async () => {
    const srv = await localServer();
    let down = 0;
    let up = 0;
    const r = await run(srv.url, async () => {
      await sleep(700);
      down = Date.now();
      const closed = new Promise<void>((resolve) => srv.server.close(() => resolve()));
      srv.server.closeAllConnections();
      await closed;
      await sleep(Math.max(0, down + WINDOW_MS - Date.now()));
      await listen(srv.server, srv.port);
      up = Date.now();
      await sleep(700);
    });
    const g = longest(r);
    const window = { from: down - TOLERANCE_MS, to: up + TOLERANCE_MS };
    const outside = r.failuresAt.filter((f) => f.at < window.from || f.at > window.to);
    console.log(`counter, ${up - down} ms down: ${r.requests} requests at ${r.ratePerSec}/s, lost ${lost(r)} ${JSON.stringify(r.failures)}, ${r.keepAliveResets} keep-alive resets, longest gap ${g.ms} ms (+${g.from - down} → +${g.to - down} ms from the close)`);
    expect(r.ratePerSec).toBeGreaterThanOrEqual(100);
    // ~125 requests a second for 150 ms: most of those ~18 are refused.
    expect(r.failures.refused ?? 0).toBeGreaterThanOrEqual(5);
    expect(r.unanswered).toBe(0);
    expect(outside).toEqual([]);
    expect(g.ms).toBeGreaterThanOrEqual(100);
    expect(g.ms).toBeLessThanOrEqual(up - down + TOLERANCE_MS);
    expect(g.from).toBeGreaterThanOrEqual(window.from);
    expect(g.to).toBeLessThanOrEqual(window.to);
  });
});
