import { describe, expect, it } from "vitest";
import { benchAgainstWrk, parseWrkOutput } from "../../../bench/wrk-vs-autocannon.js";

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

describe("bench: autocannon against wrk", () => {
  it("reads wrk's summary", () => {
    expect(parseWrkOutput(WRK_SAMPLE)).toEqual({ reqPerSec: 14960.4, requests: 74802, socketErrors: 4 });
    expect(() => parseWrkOutput("garbage")).toThrow(/Requests\/sec/);
  });

  it("refuses a target that is not on the loopback interface", async () => {
    await expect(benchAgainstWrk({ url: "http://10.0.0.1:80/" })).rejects.toThrow(/127\.0\.0\.1/);
  });
});
