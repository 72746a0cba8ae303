import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchAgainstWrk, parseWrkOutput } from "../../../load/bench-wrk.js";

const WRK_SAMPLE = `Running 5s test @ http://127.0.0.1:8080/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   512.00us  100.00us   3.00ms   90.00%
    Req/Sec     7.50k   300.00     8.00k    70.00%
  74802 requests in 5.00s, 10.00MB read
  Socket errors: connect 0, read 3, write 1, timeout 0
Requests/sec:  14960.40
Transfer/sec:      2.00MB
`;

// The target runs in its own process so the bench measures the load generators, not a shared event loop.
const TARGET = `require("node:http").createServer((q, s) => { s.setHeader("X-App-Color", "blue"); s.end("{}"); }).listen(18440, "127.0.0.1", () => console.log("ready"));`;
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

describe("bench: autocannon against wrk", () => {
  it("reads wrk's summary", () => {
    expect(parseWrkOutput(WRK_SAMPLE)).toEqual({ reqPerSec: 14960.4, requests: 74802, socketErrors: 4 });
    expect(() => parseWrkOutput("garbage")).toThrow(/Requests\/sec/);
  });

  it("refuses a target that is not on the loopback interface", async () => {
    await expect(benchAgainstWrk({ url: "http://10.0.0.1:80/" })).rejects.toThrow(/127\.0\.0\.1/);
  });

  it("runs both generators against the same 127.0.0.1 target and reports the ratio and probe jitter", async () => {
    const result = await benchAgainstWrk({ url: "http://127.0.0.1:18440/", connections: 8, durationMs: 3000 });
    console.log(JSON.stringify(result));
    expect(result.autocannon.reqPerSec).toBeGreaterThan(0);
    expect(result.wrk.reqPerSec).toBeGreaterThan(0);
    expect(result.ratio).toBeCloseTo(result.autocannon.reqPerSec / result.wrk.reqPerSec, 1);
    expect(result.probeJitter.idle.p99).toBeGreaterThanOrEqual(0);
  });
});
