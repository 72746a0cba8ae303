// An independent request counter (its own process, node:http, none of bluegreen's code): keeps
// CONNECTIONS keep-alive loops sending GET URL until SIGTERM or MAX_MS, then prints one JSON line:
// requests, ok (2xx/3xx), failed (other statuses, socket errors, timeouts), the first failures, the
// colors that answered (X-Bluegreen-Color) and the longest gap between two answers (ms).
// A request that fails on a *reused* keep-alive connection the server just closed (a proxy reload
// closing idle connections) is retried once on a fresh one, as Node's docs and every browser do for
// idempotent requests; those are counted apart as keepAliveCloses, and a failed retry is a failure.
import http from "node:http";

const [url, connections = "4", maxMs = "180000"] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
// The retry's own connection: through `agent` it could take another pooled socket the same reload
// had just closed, and a "retry on a fresh connection" would fail on a stale one.
const fresh = new http.Agent({ keepAlive: false });
const counts = { requests: 0, ok: 0, failed: 0, keepAliveCloses: 0, firstFailures: [], colors: {}, maxGapMs: 0 };
let lastAnswer = Date.now();
let running = true;

function once(retry = false) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: retry ? fresh : agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on("end", () => {
        const now = Date.now();
        counts.maxGapMs = Math.max(counts.maxGapMs, now - lastAnswer);
        lastAnswer = now;
        counts.requests++;
        const color = String(res.headers["x-bluegreen-color"] ?? "none");
        counts.colors[color] = (counts.colors[color] ?? 0) + 1;
        if (res.statusCode >= 200 && res.statusCode < 400) counts.ok++;
        else fail(`status ${res.statusCode} from ${color}`);
        resolve();
      });
    });
    req.on("timeout", () => req.destroy(new Error("timeout after 5 s")));
    req.on("error", (err) => {
      if (!retry && req.reusedSocket && (err.code === "ECONNRESET" || err.message === "socket hang up")) {
        counts.keepAliveCloses++;
        return resolve(once(true));
      }
      counts.requests++;
      fail(`${err.message}${retry ? " (retry after a keep-alive close)" : ""}`);
      resolve();
    });
  });
}

function fail(what) {
  counts.failed++;
  if (counts.firstFailures.length < 10) counts.firstFailures.push(`${new Date().toISOString()} ${what}`);
}

async function loop() {
  while (running) await once();
}

const stop = () => (running = false);
process.on("SIGTERM", stop);
setTimeout(stop, Number(maxMs)).unref();
await Promise.all(Array.from({ length: Number(connections) }, loop));
process.stdout.write(`${JSON.stringify(counts)}\n`);
process.exit(0);
