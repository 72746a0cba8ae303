/**
 * Starts the independent request counter (counter.mjs) as its own node process and reads its one
 * JSON report when stopped. The counter imports nothing from the product; this wrapper only spawns it.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "counter.mjs");

export interface CounterReport {
  requests: number;
  ok: number;
  /** Requests that got no 2xx/3xx, by class: http-5xx, http-4xx, refused, reset, timeout, other:…. */
  failures: Record<string, number>;
  /** Send times (wall clock ms) of the failures (the first 5000). */
  failuresAt: { at: number; class: string; mode: "keepalive" | "fresh" }[];
  /** Resets of a reused keep-alive socket before any answer (counted apart; a client retries those). */
  keepAliveResets: number;
  /** Slots the counter itself missed (starved of CPU, or 500 requests in flight). */
  skipped: number;
  /** Requests still unanswered when the counter stopped (after waiting one timeout): lost. */
  unanswered: number;
  /** Windows of 50 ms or more between two successful answers (wall clock ms). */
  gaps: { from: number; to: number; ms: number }[];
  colors: Record<string, number>;
  ratePerSec: number;
  startedAt: number;
  endedAt: number;
}

export interface CounterOptions {
  keepAliveRps?: number;
  freshRps?: number;
  maxSeconds?: number;
  timeoutMs?: number;
}

export interface Counter {
  /** Resolves once the counter is sending. */
  ready: Promise<void>;
  stop(): Promise<CounterReport>;
}

/** Total requests lost: every failure class plus the requests never answered. */
export function lost(r: CounterReport): number {
  return Object.values(r.failures).reduce((n, v) => n + v, 0) + r.unanswered;
}

export function startCounter(url: string, o: CounterOptions = {}): Counter {
  const args = [SCRIPT, "--url", url, "--keepalive-rps", String(o.keepAliveRps ?? 100), "--fresh-rps", String(o.freshRps ?? 25), "--max-seconds", String(o.maxSeconds ?? 300), "--timeout-ms", String(o.timeoutMs ?? 5000)];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("counter: running")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`counter exited (${code}) before it started: ${stderr.trim()}`)));
  });
  ready.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    ready,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const code = await exited;
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        return JSON.parse(line) as CounterReport;
      } catch {
        throw new Error(`the request counter exited (${code}) without a report: ${stderr.trim() || stdout.trim()}`);
      }
    },
  };
}
