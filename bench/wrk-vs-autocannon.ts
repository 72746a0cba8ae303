/**
 * autocannon against wrk on the same 127.0.0.1 target. Throughput: autocannon alone in its own
 * node process (its CLI), so nothing else shares its event loop, then wrk. Probe jitter: the probe
 * loop idle, then beside an in-process autocannon run, as `verify` runs them.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { startLoad } from "../load/autocannon.js";
import { startClock } from "../load/clock.js";
import { startProbeLoop } from "../load/probe.js";
import { summarizeLatency } from "../load/stats.js";

export interface BenchOptions {
  /** http://127.0.0.1:PORT/path — the bench only ever targets a 127.0.0.1 address. */
  url: string;
  connections?: number;
  durationMs?: number;
  wrkThreads?: number;
  /** wrk binary (default "wrk" on PATH; Debian package `wrk`). */
  wrkPath?: string;
}

export interface BenchResult {
  url: string;
  connections: number;
  durationMs: number;
  autocannon: { reqPerSec: number; requests: number; errors: number };
  wrk: { reqPerSec: number; requests: number; socketErrors: number };
  /** autocannon req/s ÷ wrk req/s: how much of wrk's throughput the harness's own load reaches. */
  ratio: number;
  /** Probe loop timing (actual − scheduled, ms), alone and while autocannon runs in the same process (as in verify). */
  probeJitter: { idle: { p50: number; p99: number; max: number }; underLoad: { p50: number; p99: number; max: number } };
}

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") {
    throw new Error(`bench target ${url} is not a loopback address; the bench only runs against 127.0.0.1. Point it at a published 127.0.0.1 port.`);
  }
}

/** Parses wrk's text output: "Requests/sec:  12345.67", "  123456 requests in 5.00s", "Socket errors: connect 0, read 2, write 0, timeout 0". */
export function parseWrkOutput(stdout: string): { reqPerSec: number; requests: number; socketErrors: number } {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const total = /(\d+) requests in/.exec(stdout);
  if (!rps?.[1] || !total?.[1]) throw new Error(`could not read wrk's output (no "Requests/sec:" line):\n${stdout}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = errors ? errors.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  return { reqPerSec: Number(rps[1]), requests: Number(total[1]), socketErrors };
}

function runWrk(path: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          reject(new Error(`wrk is not installed (${path} not found); nothing was benchmarked. Install it with: apt-get install -y wrk`));
        } else {
          reject(new Error(`wrk failed: ${error.message}\n${stderr}`));
        }
        return;
      }
      resolve(stdout);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function probeJitter(url: string, ms: number): Promise<number[]> {
  const loop = startProbeLoop({ url, intervalMs: 10, maxDurationMs: ms, clock: startClock() });
  await loop.finished;
  await loop.stop();
  return loop.jitterMs;
}

interface AutocannonJson {
  requests: { average: number; total?: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx"?: number;
  duration: number;
}

/** autocannon's own CLI in a child node process, so it has an event loop to itself. */
async function autocannonAlone(url: string, connections: number, seconds: number): Promise<{ reqPerSec: number; requests: number; errors: number }> {
  const cli = createRequire(import.meta.url).resolve("autocannon/autocannon.js");
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [cli, "-c", String(connections), "-d", String(seconds), "-j", url], { timeout: (seconds + 15) * 1000, maxBuffer: 8 << 20 }, (error, out, stderr) =>
      error ? reject(new Error(`autocannon (own process) failed: ${error.message}\n${stderr}`)) : resolve(out),
    );
  });
  const r = JSON.parse(stdout) as AutocannonJson;
  const requests = (r["2xx"] ?? 0) + r.non2xx;
  return { reqPerSec: Math.round(requests / r.duration), requests, errors: r.errors + r.timeouts + r.non2xx };
}

/** autocannon (alone in its process) and wrk against the same target, one after the other; then probe jitter. */
export async function benchAgainstWrk(opts: BenchOptions): Promise<BenchResult> {
  assertLoopback(opts.url);
  const connections = opts.connections ?? 8;
  const durationMs = opts.durationMs ?? 5000;
  const seconds = Math.max(1, Math.round(durationMs / 1000));
  const idle = summarizeLatency(await probeJitter(opts.url, 2000));

  // Jitter of the probe loop while autocannon shares its event loop, as in `verify`.
  const clock = startClock();
  const load = startLoad({ url: opts.url, connections, maxDurationMs: 3000, clock });
  const [underLoadJitter] = await Promise.all([probeJitter(opts.url, 2800), load.finished]);
  await load.stop();

  await sleep(500);
  const autocannon = await autocannonAlone(opts.url, connections, seconds);
  const acRps = autocannon.reqPerSec;
  await sleep(500);
  const threads = Math.min(opts.wrkThreads ?? 2, connections);
  const stdout = await runWrk(opts.wrkPath ?? "wrk", [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, opts.url], (seconds + 15) * 1000);
  const wrk = parseWrkOutput(stdout);
  const loaded = summarizeLatency(underLoadJitter);
  return {
    url: opts.url,
    connections,
    durationMs,
    autocannon,
    wrk,
    ratio: wrk.reqPerSec > 0 ? Math.round((acRps / wrk.reqPerSec) * 100) / 100 : 0,
    probeJitter: {
      idle: { p50: idle.p50, p99: idle.p99, max: idle.max },
      underLoad: { p50: loaded.p50, p99: loaded.p99, max: loaded.max },
    },
  };
}
