import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { escapeXml, renderChart, toJunit, toMarkdown, writeReports } from "../../../load/report/index.js";
import { DEFAULT_THRESHOLDS, type VerifyResult } from "../../../load/types.js";

const lat = { count: 100, p50: 2, p90: 3, p99: 5, max: 9 };
function result(over: Partial<VerifyResult> = {}): VerifyResult {
  return {
    verdict: "FAIL",
    hard: 2,
    keepAliveCloses: 1,
    probes: { sent: 600, ok: 597, hard: 2, keepAliveCloses: 1, byCode: { "http-503": 2 }, skippedSlots: 0, jitter: { p50: 0.2, p99: 3, max: 5 } },
    load: { requests: 5000, hard: 0, keepAliveCloses: 0, status5xx: 0, non2xx: 0, timeouts: 0, hardByCode: {}, keepAliveByCode: {} },
    outages: [{ startMs: 2500, durationMs: 40, failedProbes: 2, kind: "failures" }],
    stalls: [{ startMs: 2490, endMs: 2610, durationMs: 120 }],
    clientStalls: [],
    ws: { sessions: 4, abnormalCloses: 0, cleanCloses: 4, reconnects: 4, failedReconnects: 0, maxReconnectMs: 35, tickGaps: 0, colorsAfterReconnect: ["green"], newSessionsOk: 5, newSessionsFailed: 0, closeCodes: { "1001": 4 } },
    latency: { before: lat, during: { ...lat, p99: 12 }, after: lat },
    probeErrorsByPhase: { before: { hard: 0, keepAliveCloses: 0 }, during: { hard: 2, keepAliveCloses: 1 }, after: { hard: 0, keepAliveCloses: 0 } },
    timeline: { oldColor: "blue", newColor: "green", lastOldMs: 2510, firstNewMs: 2490, overlapMs: 20 },
    criteria: [
      { name: "no-hard-failures", ok: false, detail: "2 hard failures (http-503×2) <&> \"quoted\"" },
      { name: "keep-alive-closes", ok: true, detail: "1 keep-alive closes | reported" },
    ],
    throughput: Array.from({ length: 6 }, (_, second) => ({ second, requests: 900 + second * 10, errors: second === 2 ? 2 : 0, p50: 2, p99: second === 2 ? 40 : 5 })),
    switchAtMs: 2490,
    operationWindow: { startMs: 2000, endMs: 2600 },
    duringWindow: { startMs: 2000, endMs: 3000 },
    durationMs: 6000,
    startedAt: "2026-01-01T00:00:00.000Z",
    liveUrl: "http://127.0.0.1:8080",
    thresholds: DEFAULT_THRESHOLDS,
    settings: { connections: 8, probeIntervalMs: 10, wsSessions: 4, baselineMs: 2000, settleMs: 2000 },
    ...over,
  };
}

describe("reports", () => {
  it("writes one JUnit testcase per criterion, failures with their detail, XML escaped", () => {
    const xml = toJunit(result());
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('tests="2" failures="1"');
    expect(xml).toContain("http-503×2) &lt;&amp;&gt; &quot;quoted&quot;");
    expect(escapeXml("a\u0001b")).toBe("a\uFFFDb");
  });

  it("renders a chart with the operation span, the error second and the switch marker", () => {
    const chart = renderChart(result());
    const lines = chart.split("\n");
    expect(lines[0]).toBe("requests/s");
    const phase = lines.find((l) => l.includes("━ operation")) ?? "";
    const errors = lines.find((l) => l.includes("✗ errors")) ?? "";
    const marker = lines.find((l) => l.includes("▲ live color changed at 2490 ms")) ?? "";
    const col = (line: string, ch: string) => line.indexOf(ch);
    // Column of second 2 (the switch, the errors, inside the operation) is the same on all rows.
    expect(col(marker, "▲")).toBe(col(errors, "✗"));
    expect(phase.slice(col(marker, "▲"), col(marker, "▲") + 1)).toBe("━");
    expect(lines.every((l) => l.length <= 100)).toBe(true);
  });

  it("keeps the chart within 60 columns for long runs", () => {
    const long = result({ throughput: Array.from({ length: 300 }, (_, second) => ({ second, requests: 100, errors: 0, p50: 1, p99: 2 })), durationMs: 300_000 });
    const row = renderChart(long).split("\n")[1] ?? "";
    expect(row.length).toBeLessThanOrEqual(70);
  });

  it("puts the verdict, the criteria and the chart in the Markdown", () => {
    const md = toMarkdown(result());
    expect(md).toMatch(/^# Zero-downtime verification: FAIL/);
    expect(md).toContain("| no-hard-failures | **FAILED** |");
    expect(md).toContain("1 keep-alive closes \\| reported");
    expect(md).toContain("```text\nrequests/s");
    expect(md).toContain("40 ms at 2500 ms (failures)");
  });

  it("writes the three files atomically, leaving no temp files behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-load-"));
    try {
      const paths = await writeReports(result(), join(dir, "nested"), "run-1");
      expect((await readdir(join(dir, "nested"))).sort()).toEqual(["run-1.json", "run-1.junit.xml", "run-1.md"]);
      expect(JSON.parse(await readFile(paths.json, "utf8"))).toMatchObject({ verdict: "FAIL", thresholds: { maxKeepAliveCloses: null } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("writeReports and the config's secrets", () => {
  it("masks the secret values of the config's env in all three reports", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-report-secret-"));
    try {
      const leaky = result({ criteria: [{ name: "no-hard-failures", ok: false, detail: "upstream said: bad password cfg-only-s3cret" }] });
      const paths = await writeReports(leaky, dir, "run", { DB_PASSWORD: "cfg-only-s3cret" });
      for (const file of [paths.json, paths.junit, paths.markdown]) {
        const text = await readFile(file, "utf8");
        expect(text, file).not.toContain("cfg-only-s3cret");
        expect(text, file).toContain("***");
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the verify JUnit report", () => {
  it("stays well-formed XML whatever the detail carries (control characters, lone surrogates, U+FFFE)", async () => {
    const { parseXml } = await import("../smoke/xml-check.js");
    const xml = toJunit(result({ criteria: [{ name: "no-hard-failures", ok: false, detail: "bad \u0001 \uD800 \uFFFE <&>" }] }));
    expect(() => parseXml(xml)).not.toThrow();
  });

  it("escapes with the same function as the smoke report", async () => {
    const smoke = await import("../../../smoke/report/junit.js");
    expect(escapeXml).toBe(smoke.escapeXml);
  });
});
