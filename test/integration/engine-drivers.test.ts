/**
 * Every engine operation, through the real CLI, on each proxy driver (nginx, Caddy, HAProxy), while a
 * request loop runs through the live route. One stack per driver, reused by that driver's tests in
 * order: deploy (old drained + stopped) → rollback to the stopped color → switch → rollback to the
 * warm color → an unhealthy release refused → cleanup → status shape.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBluegreenStack, type BluegreenStack } from "../../testkit/bluegreen-stack.js";
import type { DemoProxy } from "../../testkit/demo-stack.js";
import { containerState, describeRun, measureTraffic, phaseMs, recordFigure, resultOf, stateFileOf, statusOf, trafficFigure, cliOnHealthy, waitUntilHealthy } from "../helpers/engine-checks.js";

// The refused-release path is proxy-independent (nothing is switched); it runs on nginx and HAProxy
// and is left out on Caddy to keep this file within its time budget.
const DRIVERS: Array<{ proxy: DemoProxy; proxyPort: number; previewPort: number; unhealthyRelease: boolean }> = [
  { proxy: "nginx", proxyPort: 18710, previewPort: 18711, unhealthyRelease: true },
  { proxy: "caddy", proxyPort: 18712, previewPort: 18713, unhealthyRelease: false },
  { proxy: "haproxy", proxyPort: 18714, previewPort: 18715, unhealthyRelease: true },
];

// One driver at a time: this 2-core machine is shared, and fewer containers mean fewer false timeouts.
describe.each(DRIVERS)("the engine on $proxy", ({ proxy, proxyPort, previewPort, unhealthyRelease }) => {
  let current: BluegreenStack | undefined;
  beforeAll(async () => {
    current = await startBluegreenStack({ name: `bgt-eng-${proxy}`, proxy, proxyPort, previewPort, keepOldWarm: false, verifyDuration: "2s", healthTimeout: "60s", drainTimeout: "5s" });
  }, 300_000);
  afterAll(async () => {
    await current?.destroy();
  }, 120_000);
  const stackOf = (): BluegreenStack => {
    if (!current) throw new Error(`the ${proxy} stack did not start`);
    return current;
  };

  it("deploys v2 to green under live traffic with no hard failure, then drains and stops blue", async () => {
    const stack = stackOf();
    const traffic = measureTraffic(stack);
    const run = await cliOnHealthy(stack, ["deploy", "--version", "v2", "--yes", "--json"], ["blue"]);
    const summary = await traffic.stop();
    expect(run.code, describeRun(run)).toBe(0);
    const result = resultOf(run);
    recordFigure({ scenario: `${proxy} deploy v2 (keepOldWarm false)`, ms: result.durationMs, traffic: trafficFigure(summary), extra: { switchMs: phaseMs(result, "switch"), drainMs: phaseMs(result, "drain"), stopMs: phaseMs(result, "stop") } });
    expect(result).toMatchObject({ operation: "deploy", outcome: "success", active: "green", to: { color: "green", version: "v2" } });
    expect(result.phases.find((p) => p.phase === "drain")?.status).toBe("ok");
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    expect(summary.colors.green ?? 0).toBeGreaterThan(0);

    await waitUntilHealthy(stack, ["green"]);
    const { doc } = await statusOf(stack);
    expect(doc.active).toBe("green");
    expect(doc.slots.green).toMatchObject({ running: true, healthy: true, version: "v2" });
    expect(doc.slots.blue).toMatchObject({ running: false, exists: true });
    const blueId = await stack.demo.containerId("blue");
    expect((await containerState(blueId as string)).status).toBe("exited");
  }, 240_000);

  it("rolls back to the stopped blue by starting it, waiting for it to be healthy and switching, with no hard failure", async () => {
    const stack = stackOf();
    const blueId = await stack.demo.containerId("blue");
    const traffic = measureTraffic(stack);
    const run = await stack.cli(["rollback", "--yes", "--json"]);
    const summary = await traffic.stop();
    expect(run.code, describeRun(run)).toBe(0);
    const result = resultOf(run);
    recordFigure({ scenario: `${proxy} rollback to a stopped color`, ms: result.durationMs, traffic: trafficFigure(summary), extra: { startMs: phaseMs(result, "start"), healthMs: phaseMs(result, "health"), switchMs: phaseMs(result, "switch") } });
    expect(result).toMatchObject({ operation: "rollback", outcome: "success", active: "blue", to: { color: "blue", version: "v1" } });
    expect(result.phases.filter((p) => p.status === "ok").map((p) => p.phase)).toEqual(expect.arrayContaining(["start", "health", "switch"]));
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    // Started, not recreated: the same container runs again.
    expect(await stack.demo.containerId("blue")).toBe(blueId);
    expect((await containerState(blueId as string)).status).toBe("running");
    await waitUntilHealthy(stack, ["blue", "green"]);
    const { doc } = await statusOf(stack);
    expect(doc.active).toBe("blue");
    expect(doc.slots.green).toMatchObject({ running: true, healthy: true, version: "v2" });
    expect(doc.conflicts).toEqual([]);
  }, 180_000);

  it("switches live traffic between two warm colors with no hard failure", async () => {
    const stack = stackOf();
    const traffic = measureTraffic(stack);
    const run = await cliOnHealthy(stack, ["switch", "--yes", "--json"], ["blue", "green"]);
    const summary = await traffic.stop();
    expect(run.code, describeRun(run)).toBe(0);
    const result = resultOf(run);
    recordFigure({ scenario: `${proxy} switch (both warm)`, ms: result.durationMs, traffic: trafficFigure(summary), extra: { switchMs: phaseMs(result, "switch") } });
    expect(result).toMatchObject({ operation: "switch", outcome: "success", active: "green" });
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    expect(summary.colors.green ?? 0).toBeGreaterThan(0);
    await waitUntilHealthy(stack, ["blue", "green"]);
    const { doc } = await statusOf(stack);
    expect(doc.active).toBe("green");
    expect(doc.slots.blue).toMatchObject({ running: true, healthy: true });
  }, 120_000);

  it("rolls back to the warm blue without starting anything, with no hard failure", async () => {
    const stack = stackOf();
    await waitUntilHealthy(stack, ["blue", "green"]);
    const traffic = measureTraffic(stack);
    const run = await stack.cli(["rollback", "--yes", "--json"]);
    const summary = await traffic.stop();
    expect(run.code, describeRun(run)).toBe(0);
    const result = resultOf(run);
    recordFigure({ scenario: `${proxy} rollback to a warm color`, ms: result.durationMs, traffic: trafficFigure(summary), extra: { switchMs: phaseMs(result, "switch") } });
    expect(result).toMatchObject({ operation: "rollback", outcome: "success", active: "blue" });
    expect(result.phases.find((p) => p.phase === "start")?.status).toBe("skipped");
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
  }, 120_000);

  if (unhealthyRelease) it("never switches to an unhealthy release: exit 1 with its logs, blue keeps serving every request, green is stopped", async () => {
    const stack = stackOf();
    const traffic = measureTraffic(stack);
    const run = await cliOnHealthy(stack, ["deploy", "--version", "v3", "--yes", "--json"], ["blue"], { env: { APP_FAILURE: "unhealthy", HEALTH_CHECK_TIMEOUT: "10" } });
    const summary = await traffic.stop();
    expect(run.code, describeRun(run)).toBe(1);
    const result = resultOf(run);
    recordFigure({ scenario: `${proxy} unhealthy release refused`, ms: result.durationMs, traffic: trafficFigure(summary), extra: { healthMs: phaseMs(result, "health") } });
    expect(result).toMatchObject({ operation: "deploy", outcome: "failed", active: "blue" });
    expect(result.message).toMatch(/did not become healthy/);
    // The container's own log lines (the app logs JSON lines with its color and version); 10 s of
    // health wait leaves even a starved machine time to start the app and print them.
    expect(result.message).toMatch(/last \d+ log lines/);
    expect(result.message).toMatch(/"event":"listening".*"color":"green","version":"v3"/);
    expect(result.stateNow).toMatch(/blue \(v1\) still serves all live traffic; green has been stopped/);
    expect(result.phases.map((p) => p.phase)).not.toContain("switch");
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    expect(summary.colors).toEqual({ blue: summary.ok });
    const { doc } = await statusOf(stack);
    expect(doc.active).toBe("blue");
    expect(doc.slots.green.running).toBe(false);
    expect((await containerState((await stack.demo.containerId("green")) as string)).status).toBe("exited");
  }, 180_000);

  it("cleanup removes only the inactive green: the live blue container and the shared services are untouched", async () => {
    const stack = stackOf();
    await waitUntilHealthy(stack, ["blue"]);
    const blueBefore = await stack.demo.containerId("blue");
    const sharedBefore = await stack.demo.containerId("shared");
    const blueStartedBefore = (await containerState(blueBefore as string)).startedAt;
    const run = await cliOnHealthy(stack, ["cleanup", "--yes", "--json"], ["blue"]);
    expect(run.code, describeRun(run)).toBe(0);
    const result = resultOf(run);
    recordFigure({ scenario: `${proxy} cleanup`, ms: result.durationMs });
    expect(result).toMatchObject({ operation: "cleanup", outcome: "success", active: "blue" });
    expect(await stack.demo.containerId("green")).toBeNull();
    expect(await stack.demo.containerId("blue")).toBe(blueBefore);
    expect((await containerState(blueBefore as string)).startedAt).toBe(blueStartedBefore);
    expect(await stack.demo.containerId("shared")).toBe(sharedBefore);
    // The refused v3 never was green's release: the last good one (v2) stays recorded for a rollback.
    expect((await stateFileOf(stack))?.versions).toMatchObject({ blue: "v1", green: "v2" });
  }, 120_000);

  it("reports the stack in status --json: active, the proxy's target, both slots and no conflict", async () => {
    const stack = stackOf();
    await waitUntilHealthy(stack, ["blue"]);
    const { code, doc } = await statusOf(stack);
    expect(code).toBe(0);
    expect(doc).toMatchObject({
      active: "blue",
      proxy: { driver: proxy, target: "blue", reachable: true },
      slots: {
        blue: { running: true, healthy: true, exists: true, version: "v1" },
        green: { running: false, healthy: false, exists: false, version: null },
      },
      conflicts: [],
    });
    expect(doc.state?.active).toBe("blue");
    expect(doc.lock).toBeNull();
    expect(doc.shared.map((s) => s.service).sort()).toEqual(["postgres", "proxy", "redis"]);
  }, 60_000);
});
