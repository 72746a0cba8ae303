/**
 * The engine's failure paths on real Docker and a real HAProxy, through the CLI, under live traffic:
 * a health timeout from the environment, a release that crashes after the switch (switched back on
 * Docker's die event), and a rollback that recreates a removed color at its recorded version.
 */
import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBluegreenStack, type BluegreenStack } from "../../testkit/bluegreen-stack.js";
import { run } from "../../testkit/demo-stack.js";
import { containerState, describeRun, measureTraffic, phaseMs, recordFigure, resultOf, stateFileOf, statusOf, trafficFigure, cliOnHealthy, waitUntilHealthy } from "../helpers/engine-checks.js";

/** The verify duration lives in bluegreen.yml: the crash test needs a long one, the others a short one. */
async function setVerifyDuration(stack: BluegreenStack, duration: string): Promise<void> {
  const text = await readFile(stack.configPath, "utf8");
  const next = text.replace(/^verify: \{ duration: [^,]+,/m, `verify: { duration: ${duration},`);
  if (!next.includes(`duration: ${duration},`)) throw new Error(`could not set verify.duration in ${stack.configPath}:\n${text}`);
  await writeFile(stack.configPath, next);
}

describe("the engine's failure paths on haproxy", () => {
  let stack: BluegreenStack;
  beforeAll(async () => {
    stack = await startBluegreenStack({ name: "bgt-eng-fail", proxy: "haproxy", proxyPort: 18720, previewPort: 18721, keepOldWarm: false, verifyDuration: "2s", healthTimeout: "40s", drainTimeout: "5s" });
  }, 300_000);
  afterAll(async () => {
    await stack?.destroy();
  }, 120_000);

  it("honours HEALTH_CHECK_TIMEOUT from the environment: a slow-starting release fails after about 5 s and blue keeps serving", async () => {
    const traffic = measureTraffic(stack);
    const r = await cliOnHealthy(stack, ["deploy", "--version", "v2", "--yes", "--json"], ["blue"], { env: { APP_FAILURE: "slow-start:30", HEALTH_CHECK_TIMEOUT: "5" } });
    const summary = await traffic.stop();
    expect(r.code, describeRun(r)).toBe(1);
    const result = resultOf(r);
    const healthMs = phaseMs(result, "health");
    recordFigure({ scenario: "haproxy health timeout 5 s (slow-start:30)", ms: result.durationMs, traffic: trafficFigure(summary), extra: { healthMs } });
    expect(result).toMatchObject({ outcome: "failed", active: "blue" });
    expect(result.message).toMatch(/Timed out after 5\.0s/);
    // 5 s of waiting, plus a margin for a loaded machine; far below the configured 40 s.
    expect(healthMs).toBeGreaterThanOrEqual(4_900);
    expect(healthMs).toBeLessThan(15_000);
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    expect(summary.colors).toEqual({ blue: summary.ok });
    const { doc } = await statusOf(stack);
    expect(doc.active).toBe("blue");
    expect(doc.slots.green.running).toBe(false);
  }, 120_000);

  it("switches back to blue at once when the new release crashes after the switch: outcome rolled-back, exit 1, state = proxy", async () => {
    // The verify window only bounds the wait: the engine ends it on green's die event. Green crashes
    // (SIGUSR2: the demo app exits 1) the moment the request loop sees it serve live traffic: a timer
    // (crash-after:S) raced health, smoke and the switch on a loaded CI host and sometimes fired
    // during smoke, before any switch.
    await setVerifyDuration(stack, "20s");
    // The engine switches back only to a previous color it saw healthy before the switch.
    await waitUntilHealthy(stack, ["blue"]);
    const traffic = measureTraffic(stack, 20);
    const deploy = stack.spawnCli(["deploy", "--version", "v2", "--yes", "--json"]);
    const deadline = Date.now() + 120_000;
    while (!traffic.samples().some((s) => s.color === "green") && Date.now() < deadline) await sleep(10);
    const greenLive = traffic.samples().some((s) => s.color === "green");
    if (greenLive) await run("docker", ["kill", "--signal", "SIGUSR2", (await stack.demo.containerId("green")) as string]);
    const r = await deploy.exited;
    const summary = await traffic.stop();
    // The fault happened: green served live traffic, then was crashed.
    expect(greenLive, "green never served the live route, so the crash after the switch was never made").toBe(true);
    await setVerifyDuration(stack, "2s");
    expect(r.code, describeRun(r)).toBe(1);
    const result = resultOf(r);
    expect(result, result.message).toMatchObject({ operation: "deploy", outcome: "rolled-back", active: "blue" });
    expect(result.phases.filter((p) => p.status === "ok").map((p) => p.phase)).toEqual(expect.arrayContaining(["switch", "rollback-switch"]));
    expect(result.message).toMatch(/switched back to blue/);
    expect(result.message).toMatch(/crash/);

    // When green died (Docker's clock, same host) and when blue answered again (the request loop).
    const greenId = (await stack.demo.containerId("green")) as string;
    const { stdout } = await run("docker", ["inspect", "-f", "{{.State.FinishedAt}} {{.State.ExitCode}}", greenId]);
    const [finishedAt = "", exitCode = ""] = stdout.trim().split(" ");
    expect(exitCode).toBe("1");
    const crashWall = Date.parse(finishedAt);
    const healthyLine = (await stack.demo.logs("green", 200)).split("\n").find((l) => l.includes('"event":"healthy"'));
    const appHealthyWall = healthyLine ? Date.parse((JSON.parse(healthyLine) as { ts: string }).ts) : null;
    const samples = traffic.samples();
    const wall0 = summary.wallStart;
    const lastGreen = samples.reduce((m, s) => (s.color === "green" ? Math.max(m, s.t) : m), -1);
    expect(lastGreen, "green served no request before it crashed").toBeGreaterThan(0);
    const back = samples.find((s) => s.color === "blue" && s.t > lastGreen && s.error === null);
    expect(back, "blue never answered again after the crash").toBeDefined();
    const backWall = wall0 + (back?.t ?? 0) + (back?.latencyMs ?? 0);
    const crashToBackMs = backWall - crashWall;
    const firstGreen = samples.find((s) => s.color === "green");
    const healthyToFirstGreenMs = appHealthyWall && firstGreen ? wall0 + firstGreen.t - appHealthyWall : null;
    const windowHard = samples.filter((s) => s.error === "hard" && wall0 + s.t + s.latencyMs >= crashWall - 50 && s.t <= (back?.t ?? 0)).length;
    recordFigure({
      scenario: "haproxy crash (SIGUSR2) once live → switch back",
      ms: result.durationMs,
      traffic: trafficFigure(summary),
      extra: { crashToBackMs, windowHard, healthyToFirstGreenMs, verifyMs: phaseMs(result, "verify"), rollbackSwitchMs: phaseMs(result, "rollback-switch"), firstHard: summary.firstHard },
    });
    // Detected by Docker's die event, not by the end of the 8 s verify: back well before it would end.
    expect(crashToBackMs).toBeLessThan(5_000);
    // Requests that reached green between its crash and the switch back fail: that window is the
    // whole budget for hard failures (each one is counted and reported above).
    expect(summary.hard).toBe(windowHard);

    const state = await stateFileOf(stack);
    const { doc } = await statusOf(stack);
    expect(doc.proxy.target).toBe("blue");
    expect(state?.active).toBe(doc.proxy.target);
    expect(doc.slots.green.running).toBe(false);
    // The crashed release must never be a rollback target.
    expect(state?.versions.green).toBeUndefined();
  }, 180_000);

  it("recreates a removed color at its recorded version when rolling back after cleanup", async () => {
    const deployRun = await cliOnHealthy(stack, ["deploy", "--version", "v2", "--yes", "--json"], ["blue"]);
    expect(deployRun.code, describeRun(deployRun)).toBe(0);
    const cleanupRun = await cliOnHealthy(stack, ["cleanup", "--yes", "--json"], ["green"]);
    expect(cleanupRun.code, describeRun(cleanupRun)).toBe(0);
    expect(await stack.demo.containerId("blue")).toBeNull();
    expect((await stateFileOf(stack))?.versions.blue).toBe("v1");

    const traffic = measureTraffic(stack);
    const r = await stack.cli(["rollback", "--yes", "--json"]);
    const summary = await traffic.stop();
    expect(r.code, describeRun(r)).toBe(0);
    const result = resultOf(r);
    recordFigure({ scenario: "haproxy rollback recreating a removed color", ms: result.durationMs, traffic: trafficFigure(summary), extra: { startMs: phaseMs(result, "start"), healthMs: phaseMs(result, "health") } });
    expect(result).toMatchObject({ operation: "rollback", outcome: "success", active: "blue", to: { color: "blue", version: "v1" } });
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    const blueId = (await stack.demo.containerId("blue")) as string;
    expect((await containerState(blueId)).status).toBe("running");
    const { stdout } = await run("docker", ["inspect", "-f", '{{index .Config.Labels "bluegreen.version"}}', blueId]);
    expect(stdout.trim()).toBe("v1");
    const { doc } = await statusOf(stack);
    expect(doc).toMatchObject({ active: "blue", slots: { blue: { healthy: true, version: "v1" }, green: { running: true, version: "v2" } } });
  }, 240_000);
});
