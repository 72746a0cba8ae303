import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchAgainstWrk } from "../../bench/wrk-vs-autocannon.js";

// Bounds are loose on purpose: this shared 2-core machine runs other engineers' suites; the ratio is the bench's figure.
const PORT = 18440 + Number(process.env.BG_TEST_PORT_OFFSET ?? 0);
// The target runs in its own process so the bench measures the load generators, not a shared event loop.
const TARGET = `require("node:http").createServer((q, s) => { s.setHeader("X-App-Color", "blue"); s.end("{}"); }).listen(${PORT}, "127.0.0.1", () => console.log("ready"));`;
let target: ChildProcess | null = null;

beforeAll(async () => {
  target = spawn(process.execPath, ["-e", TARGET], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    target?.stdout?.once("data", () => resolve());
    target?.once("exit", (code) => reject(new Error(`bench target exited with ${code}`)));
  });
});
afterAll(() => {
  target?.kill("SIGTERM");
});

describe("bench: autocannon (alone in its process) against wrk", () => {
  it("runs both generators against the same 127.0.0.1 target and reports the ratio and probe jitter", async () => {
    const result = await benchAgainstWrk({ url: `http://127.0.0.1:${PORT}/`, connections: 8, durationMs: 3000 });
    console.log(JSON.stringify(result));
    expect(result.autocannon.reqPerSec).toBeGreaterThan(50);
    expect(result.autocannon.errors).toBe(0);
    expect(result.wrk.reqPerSec).toBeGreaterThan(50);
    expect(result.ratio).toBeCloseTo(result.autocannon.reqPerSec / result.wrk.reqPerSec, 1);
    expect(result.probeJitter.idle.p99).toBeGreaterThan(0);
    expect(result.probeJitter.idle.p99).toBeLessThan(1000);
  });
});
