// The request counter of the swarm tests: a process of its own, independent of the code under
// test. Per URL `loops` keep-alive request loops, each starting a request at most every `paceMs`
// (0: back to back), until its stdin closes or `maxMs` / `maxRequests` per URL have passed. It
// records every failure, each 200's start time, X-App-Color and X-App-Version, and per URL the
// longest time in which no request completed (maxGapMs). Prints "ready" once every URL answered 200,
// then one JSON summary line. Traffic goes only to the URLs given (the lab's node addresses).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const COUNTER = String.raw`
const urls = JSON.parse(process.argv[1]);
const loops = Number(process.argv[2]);
const pace = Number(process.argv[3]);
const deadline = Date.now() + Number(process.argv[4]);
const maxRequests = Number(process.argv[5]);
let stop = false;
process.stdin.on("end", () => { stop = true; });
process.stdin.resume();
const stats = {};
const answered = new Set();
let ready = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function loop(url) {
  const s = stats[url];
  while (!stop && Date.now() < deadline && s.total < maxRequests) {
    const start = Date.now();
    let color = null, version = null, status = 0, error = null;
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      status = r.status;
      color = r.headers.get("x-app-color");
      version = r.headers.get("x-app-version");
    } catch (e) { error = String(e.cause?.code ?? e.name ?? e); }
    const end = Date.now();
    s.total++;
    if (end - s.lastEnd > s.maxGapMs) { s.maxGapMs = end - s.lastEnd; s.maxGapEnd = end; }
    s.lastEnd = end;
    if (status !== 200) { s.failureCount++; if (s.failures.length < 10) s.failures.push({ start, status, error }); }
    else {
      s.samples.push([start, color, version]);
      answered.add(url);
      if (!ready && answered.size === urls.length) { ready = true; process.stdout.write("ready\n"); }
    }
    if (end - start < pace) await sleep(pace - (end - start));
  }
}
const all = [];
for (const url of urls) {
  stats[url] = { total: 0, failures: [], failureCount: 0, samples: [], maxGapMs: 0, maxGapEnd: 0, lastEnd: Date.now() };
  for (let i = 0; i < loops; i++) all.push(loop(url));
}
// Exit only once the summary is flushed: a pipe write is asynchronous, and it is a few MB.
Promise.all(all).then(() => { process.stdout.write(JSON.stringify(stats) + "\n", () => process.exit(0)); });
`;

export interface UrlCount {
  total: number;
  failureCount: number;
  failures: unknown[];
  /** [request start, X-App-Color, X-App-Version] of every 200. */
  samples: [number, string | null, string | null][];
  maxGapMs: number;
  maxGapEnd: number;
}
export type CounterSummary = Record<string, UrlCount>;

export function startLabCounter(urls: string[], o: { loops: number; paceMs: number; maxMs: number; maxRequests: number }): { ready: Promise<void>; startedAt: number; stop: () => Promise<{ summary: CounterSummary; seconds: number }> } {
  const startedAt = Date.now();
  const child = spawn(process.execPath, ["-e", COUNTER, JSON.stringify(urls), String(o.loops), String(o.paceMs), String(o.maxMs), String(o.maxRequests)], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  let resolveReady: () => void = () => undefined;
  let rejectReady: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const readyTimer = setTimeout(() => rejectReady(new Error("the counter got no 200 from every URL within 30 s")), 30_000);
  const summary = new Promise<CounterSummary>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line === "ready") {
        clearTimeout(readyTimer);
        resolveReady();
      } else {
        try {
          resolve(JSON.parse(line) as CounterSummary);
        } catch (err) {
          reject(new Error(`the counter's summary is not JSON (${String(err)}): ${line.slice(0, 200)}…`));
        }
      }
    });
    // "close": after stdout ended, so the summary line was read first when there is one.
    child.on("close", (code) => {
      clearTimeout(readyTimer);
      rejectReady(new Error(`the counter exited (${code}) before every URL answered`));
      reject(new Error(`the counter exited (${code}) without a summary`));
    });
  });
  // A counter that never got ready is not left running; a summary nobody waits for is no unhandled rejection.
  ready.catch(() => child.kill("SIGKILL"));
  summary.catch(() => undefined);
  return {
    ready,
    startedAt,
    stop: async () => {
      const stoppedAt = Date.now();
      child.stdin.end();
      const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
      try {
        return { summary: await summary, seconds: (stoppedAt - startedAt) / 1000 };
      } finally {
        clearTimeout(kill);
      }
    },
  };
}

