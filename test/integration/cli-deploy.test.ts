import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBluegreenStack, startTraffic, type BluegreenStack } from "../../testkit/bluegreen-stack.js";

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
}

describe("bluegreen deploy through the CLI on HAProxy", () => {
  let stack: BluegreenStack;
  beforeAll(async () => {
    stack = await startBluegreenStack({ name: "bgt-cli-deploy", proxy: "haproxy", proxyPort: 18701, previewPort: 18702, keepOldWarm: false });
  });
  afterAll(async () => {
    await stack?.destroy();
  });

  it("deploys v2 to green under traffic with no failed request, then reports green live in status --json", async () => {
    const traffic = startTraffic(stack.demo.liveUrl);
    const run = await stack.cli(["deploy", "--version", "v2", "--yes", "--json"]);
    const summary = await traffic.stop();
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
    const result = lastJson(run.stdout);
    expect(result).toMatchObject({ type: "result", operation: "deploy", outcome: "success", active: "green" });
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    expect(summary.colors.green ?? 0).toBeGreaterThan(0);

    const status = await stack.cli(["status", "--json"]);
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout) as { active: string; slots: { blue: { running: boolean }; green: { healthy: boolean; version: string } }; conflicts: unknown[] };
    expect(doc.active).toBe("green");
    expect(doc.slots.green).toMatchObject({ healthy: true, version: "v2" });
    expect(doc.slots.blue.running).toBe(false);
    expect(doc.conflicts).toEqual([]);
  });

  it("refuses a deploy without --yes and without a terminal, changing nothing", async () => {
    const run = await stack.cli(["deploy", "--version", "v3"]);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/needs a confirmation/);
    const status = JSON.parse((await stack.cli(["status", "--json"])).stdout) as { active: string; slots: { green: { version: string } } };
    expect(status.active).toBe("green");
    expect(status.slots.green.version).toBe("v2");
  });

  it("verifies a rollback to the stopped color under load: PASS with 0 hard failures, reports written", async () => {
    const reportDir = path.join(stack.dir, "reports");
    const run = await stack.cli(["verify", "--duration", "3", "--baseline", "1", "--connections", "4", "--ws", "2", "--report-dir", reportDir, "--json", "--", "rollback", "--yes"]);
    expect(run.code, run.stderr + run.stdout.slice(-3000)).toBe(0);
    const result = lastJson(run.stdout) as { verdict: string; hard: number; ws: { abnormalCloses: number }; operation: { outcome: string; active: string }; reports: { json: string; junit: string; markdown: string } };
    expect(result.verdict).toBe("PASS");
    expect(result.hard).toBe(0);
    expect(result.ws.abnormalCloses).toBe(0);
    expect(result.operation).toMatchObject({ outcome: "success", active: "blue" });
    for (const file of Object.values(result.reports)) expect(existsSync(file)).toBe(true);
    // Progress streamed before the result.
    expect(run.stdout).toContain('"type":"verify-progress"');
  });
});
