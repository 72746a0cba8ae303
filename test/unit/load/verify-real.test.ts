import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeReports } from "../../../load/report/index.js";
import type { VerifyProgress } from "../../../load/types.js";
import { verifyAround } from "../../../load/verify.js";
import { startLocalApp, type LocalApp } from "./local-servers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let app: LocalApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const quick = { baselineMs: 800, settleMs: 800, connections: 2, ws: 2, maxDurationMs: 10_000 };

describe("verifyAround against a real 127.0.0.1 server", () => {
  it("passes a clean color switch and reports when the color changed", async () => {
    app = await startLocalApp(18420, "blue");
    const local = app;
    const progress: VerifyProgress[] = [];
    const { result, operation } = await verifyAround(
      async () => {
        await sleep(50);
        local.color = "green";
        return "switched";
      },
      { liveUrl: local.url, ...quick },
      (p) => progress.push(p),
    );
    expect(operation).toEqual({ ok: true, value: "switched" });
    expect(result.criteria.filter((c) => !c.ok)).toEqual([]);
    expect(result.verdict).toBe("PASS");
    expect(result.hard).toBe(0);
    expect(result.keepAliveCloses).toBe(0);
    expect(result.timeline).toMatchObject({ oldColor: "blue", newColor: "green" });
    // The color flips 50 ms into the operation, which ends right then; the first green answer
    // arrives after the flip, and within a fixed bound after the operation ended: the next probe is
    // due within 10 ms, a 127.0.0.1 round trip takes about 1 ms, and 250 ms leaves room for a loaded
    // 2-core CI host (a bound widened by what the run measured had failed by 4.5 ms under load).
    expect(result.switchAtMs).toBeGreaterThanOrEqual(result.operationWindow.startMs + 50);
    expect(result.switchAtMs).toBeLessThanOrEqual(result.operationWindow.endMs + 250);
    expect(result.load?.requests).toBeGreaterThan(0);
    expect(result.ws.sessions).toBe(2);
    expect(result.ws.newSessionsOk).toBeGreaterThan(0);
    expect(result.throughput.length).toBeGreaterThanOrEqual(2);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(["baseline", "operation", "settle", "done"]));
    expect(progress.at(-1)?.color).toBe("green");
  });

  it("fails an operation that stops the server for 300 ms and reports the outage", async () => {
    app = await startLocalApp(18421, "blue");
    const local = app;
    let real = 0;
    const { result, operation } = await verifyAround(
      async () => {
        const { downAt, upAt } = await local.stopFor(300);
        real = upAt - downAt;
      },
      { liveUrl: local.url, ...quick },
    );
    expect(operation.ok).toBe(true);
    expect(result.verdict).toBe("FAIL");
    expect(result.hard).toBeGreaterThan(0);
    expect(result.outages).toHaveLength(1);
    // Server, load generator and probes share one event loop here, so on a busy host its lag adds
    // to the end of the window; the precise ±20 ms figure is checked in probe-real.test.ts and
    // against docker pause in test/integration/load-demo.test.ts. Never shorter than the real stop:
    expect(result.outages[0]?.durationMs).toBeGreaterThanOrEqual(real - 20);
    expect(result.outages[0]?.durationMs).toBeLessThanOrEqual(real + 500);
    expect(result.ws.abnormalCloses).toBe(2);
    expect(result.criteria.find((c) => c.name === "no-hard-failures")?.ok).toBe(false);

    const dir = await mkdtemp(join(tmpdir(), "bg-load-report-"));
    try {
      const paths = await writeReports(result, dir, "verify");
      expect((await readdir(dir)).sort()).toEqual(["verify.json", "verify.junit.xml", "verify.md"]);
      const junit = await readFile(paths.junit, "utf8");
      expect(junit.match(/<testcase /g)).toHaveLength(result.criteria.length);
      expect(junit).toContain('<failure message="');
      const md = await readFile(paths.markdown, "utf8");
      expect(md).toContain("FAIL");
      expect(md).toContain("requests/s");
      expect(JSON.parse(await readFile(paths.json, "utf8")).verdict).toBe("FAIL");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("returns the operation's error beside a verdict", async () => {
    app = await startLocalApp(18422);
    const { result, operation } = await verifyAround(
      async () => {
        throw new Error("switch refused by the proxy");
      },
      { liveUrl: app.url, ...quick, connections: 0, ws: 0 },
    );
    expect(operation.ok).toBe(false);
    if (!operation.ok) expect(operation.error.message).toBe("switch refused by the proxy");
    expect(result.verdict).toBe("PASS");
    expect(result.load).toBeNull();
  });

  it("aborts an operation that overruns the duration bound", async () => {
    app = await startLocalApp(18423);
    const started = Date.now();
    const { operation, result } = await verifyAround(
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason as Error));
        }),
      { liveUrl: app.url, baselineMs: 200, settleMs: 200, connections: 1, ws: 0, maxDurationMs: 1500 },
    );
    expect(Date.now() - started).toBeLessThan(4000);
    expect(operation.ok).toBe(false);
    if (!operation.ok) expect(operation.error.message).toContain("did not finish within the verify budget");
    expect(result.durationMs).toBeLessThan(2500);
  });
});
