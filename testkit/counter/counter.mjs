#!/usr/bin/env node
// An independent request counter: its own node process, importing nothing from the product
// (src/, load/, smoke/), so its counts do not share the product's probe, classifier or event loop.
//
//   node testkit/counter/counter.mjs --url http://127.0.0.1:PORT/ [--keepalive-rps 100]
//        [--fresh-rps 25] [--max-seconds 300] [--timeout-ms 5000]
//
// Open loop: a keep-alive stream (one agent, up to 32 sockets) and a fresh-connection stream (a new
// TCP connection per request) are each sent on a fixed schedule, whether earlier requests have
// answered or not. On SIGTERM/SIGINT, or when --max-seconds pass, it waits for requests in flight
// (up to the timeout) and prints ONE JSON line on stdout:
//   { requests, ok, failures: {class: n}, failuresAt: [{at, class, mode}], gaps: [{from, to, ms}],
//     keepAliveResets, colors: {blue: n, green: n}, ratePerSec, startedAt, endedAt }
// Times are wall-clock ms (Date.now() scale). A failure is any request that did not get a 2xx/3xx:
// http-5xx, http-4xx, refused, reset (on a fresh connection), timeout, other. A reset of a reused
// keep-alive socket before any byte of the response is counted apart (keepAliveResets), as a browser
// would retry it. A gap is a window ≥ 50 ms between two successful answers' arrivals.
import http from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    "keepalive-rps": { type: "string", default: "100" },
    "fresh-rps": { type: "string", default: "25" },
    "max-seconds": { type: "string", default: "300" },
    "timeout-ms": { type: "string", default: "5000" },
    "gap-ms": { type: "string", default: "50" },
  },
});
if (!values.url) {
  process.stderr.write("counter: --url http://127.0.0.1:PORT/ is required\n");
  process.exit(2);
}
const url = new URL(values.url);
if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") {
  process.stderr.write(`counter: ${values.url} is not a 127.0.0.1 address; traffic only goes to published loopback ports\n`);
  process.exit(2);
}
const keepAliveRps = Number(values["keepalive-rps"]);
const freshRps = Number(values["fresh-rps"]);
const maxMs = Number(values["max-seconds"]) * 1000;
const timeoutMs = Number(values["timeout-ms"]);
const gapMs = Number(values["gap-ms"]);
const MAX_IN_FLIGHT = 500;

const now = () => performance.timeOrigin + performance.now();
const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const startedAt = now();
let requests = 0;
let ok = 0;
let keepAliveResets = 0;
let skipped = 0;
let inFlight = 0;
const failures = {};
const failuresAt = [];
const colors = {};
const arrivals = [];

function record(cls, at, mode) {
  failures[cls] = (failures[cls] ?? 0) + 1;
  if (failuresAt.length < 5000) failuresAt.push({ at: Math.round(at), class: cls, mode });
}

function classifyError(err) {
  const code = err?.code ?? "";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ECONNRESET" || code === "EPIPE" || err?.message === "socket hang up") return "reset";
  if (code === "ETIMEDOUT" || code === "TIMEOUT") return "timeout";
  return `other:${code || err?.message || "?"}`;
}

function send(mode) {
  if (inFlight >= MAX_IN_FLIGHT) {
    skipped++;
    return;
  }
  requests++;
  inFlight++;
  const sentAt = now();
  let done = false;
  let gotResponse = false;
  const finish = () => {
    done = true;
    inFlight--;
  };
  const req = http.get(url, { agent: mode === "keepalive" ? keepAliveAgent : false, headers: mode === "fresh" ? { connection: "close" } : {} }, (res) => {
    gotResponse = true;
    res.resume();
    res.on("end", () => {
      if (done) return;
      finish();
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 400) {
        ok++;
        arrivals.push(now());
        const color = res.headers["x-bluegreen-color"] ?? res.headers["x-app-color"];
        if (typeof color === "string") colors[color] = (colors[color] ?? 0) + 1;
      } else {
        record(status >= 500 ? "http-5xx" : "http-4xx", sentAt, mode);
      }
    });
    res.on("error", (err) => {
      if (done) return;
      finish();
      record(classifyError(err), sentAt, mode);
    });
  });
  req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
  req.on("error", (err) => {
    if (done) return;
    finish();
    const cls = classifyError(err);
    // A kept-alive socket that the server closed just as we reused it: no byte of an answer came.
    if (mode === "keepalive" && cls === "reset" && !gotResponse && req.reusedSocket) {
      keepAliveResets++;
      return;
    }
    record(cls, sentAt, mode);
  });
}

function schedule(rps, mode) {
  if (rps <= 0) return null;
  const interval = 1000 / rps;
  let next = now();
  let timer = null;
  const tick = () => {
    const t = now();
    while (next <= t) {
      // A slot more than 10 intervals late was missed by a starved client, not the server: skip it.
      if (t - next > interval * 10) skipped++;
      else send(mode);
      next += interval;
    }
    timer = setTimeout(tick, Math.max(0, next - now()));
  };
  tick();
  return { stop: () => clearTimeout(timer) };
}

const loops = [schedule(keepAliveRps, "keepalive"), schedule(freshRps, "fresh")];
let stopping = false;

async function stop() {
  if (stopping) return;
  stopping = true;
  for (const l of loops) l?.stop();
  const endedAt = now();
  const deadline = endedAt + timeoutMs + 500;
  while (inFlight > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 20));
  arrivals.sort((a, b) => a - b);
  const gaps = [];
  for (let i = 1; i < arrivals.length; i++) {
    const ms = arrivals[i] - arrivals[i - 1];
    if (ms >= gapMs) gaps.push({ from: Math.round(arrivals[i - 1]), to: Math.round(arrivals[i]), ms: Math.round(ms) });
  }
  const seconds = (endedAt - startedAt) / 1000;
  const out = {
    requests,
    ok,
    failures,
    failuresAt,
    keepAliveResets,
    skipped,
    unanswered: inFlight,
    gaps,
    colors,
    ratePerSec: Math.round(requests / Math.max(seconds, 0.001)),
    startedAt: Math.round(startedAt),
    endedAt: Math.round(endedAt),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
  keepAliveAgent.destroy();
}

process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setTimeout(stop, maxMs).unref();
process.stderr.write("counter: running\n");
