/**
 * Conflicts and interruptions on real Docker and a real HAProxy, through the CLI: both colors
 * running, state file ≠ proxy, a stale lock left by a killed deploy, a deploy refused while another
 * runs, and Ctrl-C during the health wait.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBluegreenStack, type BluegreenStack } from "../../testkit/bluegreen-stack.js";
import { sleep } from "../../testkit/demo-stack.js";
import { containerState, describeRun, measureTraffic, recordFigure, resultOf, stateFileOf, statusOf, trafficFigure, cliOnHealthy, waitUntilHealthy } from "../helpers/engine-checks.js";

/** Resolves once the spawned CLI has printed the JSON event for the start of `phase` (bounded). */
async function waitForPhase(output: { stdout: string }, child: ChildProcess, phase: string, timeoutMs = 120_000): Promise<void> {
  const marker = `"type":"phase","phase":"${phase}","status":"start"`;
  const deadline = Date.now() + timeoutMs;
  while (!output.stdout.includes(marker)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the CLI exited (${String(child.exitCode ?? child.signalCode)}) before the ${phase} phase:\n${output.stdout.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`the CLI did not reach the ${phase} phase within ${timeoutMs} ms:\n${output.stdout.slice(-2000)}`);
    await sleep(100);
  }
}

describe("conflicts and interruptions on haproxy", () => {
  let stack: BluegreenStack;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    stack = await startBluegreenStack({ name: "bgt-eng-conflict", proxy: "haproxy", proxyPort: 18730, previewPort: 18731, keepOldWarm: false, verifyDuration: "2s", healthTimeout: "60s", drainTimeout: "5s" });
  }, 300_000);
  afterAll(async () => {
    // A CLI a failed test left running must not outlive the stack (killed by its own pid).
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await stack?.destroy();
  }, 120_000);

  it("reports both colors running, refuses a deploy with exit 3 changing nothing, and resolve keeps the proxy's target", async () => {
    await stack.demo.upColor("green", { version: "v1" });
    const greenId = (await stack.demo.containerId("green")) as string;
    const greenStarted = (await containerState(greenId)).startedAt;

    const { code, doc } = await statusOf(stack);
    expect(code).toBe(3);
    const conflict = doc.conflicts.find((c) => c.kind === "both-running");
    expect(conflict, JSON.stringify(doc.conflicts)).toMatchObject({ recommend: "blue" });
    expect(conflict?.why).toMatch(/proxy routes live traffic to blue/);

    const deploy = await stack.cli(["deploy", "--version", "v2", "--yes", "--json"]);
    expect(deploy.code, describeRun(deploy)).toBe(3);
    expect(resultOf(deploy).message).toMatch(/both-running/);
    expect(await stack.demo.containerId("green")).toBe(greenId);
    expect((await containerState(greenId)).startedAt).toBe(greenStarted);
    expect((await statusOf(stack)).doc.proxy.target).toBe("blue");

    await waitUntilHealthy(stack, ["blue"]);
    const traffic = measureTraffic(stack);
    const resolve = await cliOnHealthy(stack, ["resolve", "--yes", "--json"], ["blue"]);
    const summary = await traffic.stop();
    expect(resolve.code, describeRun(resolve)).toBe(0);
    recordFigure({ scenario: "haproxy resolve both-running", ms: resultOf(resolve).durationMs, traffic: trafficFigure(summary) });
    expect(resultOf(resolve)).toMatchObject({ operation: "resolve", outcome: "success", active: "blue" });
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    expect((await containerState(greenId)).status).toBe("exited");
    const after = await statusOf(stack);
    expect(after.code).toBe(0);
    expect(after.doc).toMatchObject({ active: "blue", state: { active: "blue" }, conflicts: [] });
  }, 240_000);

  it("reports state-drift when the proxy was switched behind bluegreen's back, and resolve rewrites the state file to the proxy's target", async () => {
    await stack.demo.upColor("green", { version: "v1" });
    const { ports } = await stack.openEngine();
    await ports.proxy.switchLive("green");
    await stack.demo.stopColor("blue");

    await waitUntilHealthy(stack, ["green"]);
    const { code, doc } = await statusOf(stack);
    expect(code).toBe(3);
    expect(doc.conflicts.map((c) => c.kind)).toEqual(["state-drift"]);
    expect(doc.conflicts[0]).toMatchObject({ recommend: "green" });
    expect(doc).toMatchObject({ active: "green", state: { active: "blue" } });

    const r = await cliOnHealthy(stack, ["resolve", "--yes", "--json"], ["green"]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(resultOf(r)).toMatchObject({ outcome: "success", active: "green" });
    expect((await stateFileOf(stack))?.active).toBe("green");
    const after = await statusOf(stack);
    expect(after.code).toBe(0);
    expect(after.doc).toMatchObject({ active: "green", proxy: { target: "green" }, conflicts: [] });
  }, 180_000);

  it("shows a stale lock after a deploy is killed with SIGKILL; a new deploy exits 4 naming the holder; resolve breaks it and settles the stack", async () => {
    await waitUntilHealthy(stack, ["green"]);
    const killed = stack.spawnCli(["deploy", "--version", "v2", "--yes", "--json"], { env: { APP_FAILURE: "slow-start:20" } });
    children.push(killed.child);
    await waitForPhase(killed.output, killed.child, "health");
    const holderPid = killed.child.pid as number;
    killed.child.kill("SIGKILL");
    const exit = await killed.exited;
    expect(exit.signal).toBe("SIGKILL");

    const { code, doc } = await statusOf(stack);
    expect(code).toBe(3);
    expect(doc.lock).toMatchObject({ pid: holderPid, stale: true, command: "deploy --version v2" });
    expect(doc.conflicts.map((c) => c.kind)).toContain("stale-lock");

    const refused = await stack.cli(["deploy", "--version", "v3", "--yes", "--json"]);
    expect(refused.code, describeRun(refused)).toBe(4);
    expect(resultOf(refused).message).toContain(`pid ${holderPid}`);
    expect(resultOf(refused).message).toContain("deploy --version v2");
    expect(resultOf(refused).message).toMatch(/stale/);

    await waitUntilHealthy(stack, ["green"]);
    const traffic = measureTraffic(stack);
    const r = await cliOnHealthy(stack, ["resolve", "--yes", "--json"], ["green"]);
    const summary = await traffic.stop();
    expect(r.code, describeRun(r)).toBe(0);
    recordFigure({ scenario: "haproxy resolve stale lock (+ half-started blue)", ms: resultOf(r).durationMs, traffic: trafficFigure(summary) });
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    const after = await statusOf(stack);
    expect(after.code, JSON.stringify(after.doc.conflicts)).toBe(0);
    expect(after.doc.lock).toBeNull();
    const running = (["blue", "green"] as const).filter((c) => after.doc.slots[c].running);
    expect(running).toEqual(["green"]);
    expect(after.doc.slots.green.healthy).toBe(true);
    expect(after.doc.proxy.target).toBe("green");
    expect(after.doc.state?.active).toBe("green");
  }, 240_000);

  it("refuses a second deploy while one runs with exit 4, naming the holder's pid and command", async () => {
    await waitUntilHealthy(stack, ["green"]);
    const first = stack.spawnCli(["deploy", "--version", "v3", "--yes", "--json"], { env: { APP_FAILURE: "slow-start:20" } });
    children.push(first.child);
    try {
      await waitForPhase(first.output, first.child, "health");
      const second = await stack.cli(["deploy", "--version", "v4", "--yes", "--json"]);
      expect(second.code, describeRun(second)).toBe(4);
      const message = resultOf(second).message;
      expect(message).toContain(`pid ${String(first.child.pid)}`);
      expect(message).toContain("deploy --version v3");
      expect(message).not.toMatch(/stale/);
    } finally {
      // Ctrl-C the first deploy: covered in its own test below, here it only has to end.
      first.child.kill("SIGINT");
      await first.exited;
    }
  }, 180_000);

  it("aborts a deploy on Ctrl-C during the health wait: exit 130, the new color stopped, the lock released, green serving with no hard failure", async () => {
    await waitUntilHealthy(stack, ["green"]);
    const traffic = measureTraffic(stack);
    const t0 = Date.now();
    const run = stack.spawnCli(["deploy", "--version", "v3", "--yes", "--json"], { env: { APP_FAILURE: "slow-start:20" } });
    children.push(run.child);
    await waitForPhase(run.output, run.child, "health");
    const sigintAt = Date.now();
    run.child.kill("SIGINT");
    const exit = await run.exited;
    const exitAfterMs = Date.now() - sigintAt;
    const summary = await traffic.stop();
    expect(exit.code, describeRun(exit)).toBe(130);
    const result = resultOf(exit);
    recordFigure({ scenario: "haproxy Ctrl-C during the health wait", ms: Date.now() - t0, traffic: trafficFigure(summary), extra: { exitAfterSigintMs: exitAfterMs } });
    expect(result).toMatchObject({ operation: "deploy", outcome: "aborted", active: "green" });
    expect(result.stateNow).toMatch(/green \(v1\) still serves all live traffic; blue has been stopped/);
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    expect(summary.colors).toEqual({ green: summary.ok });
    expect((await containerState((await stack.demo.containerId("blue")) as string)).status).toBe("exited");
    const { code, doc } = await statusOf(stack);
    expect(code, JSON.stringify(doc.conflicts)).toBe(0);
    expect(doc.lock).toBeNull();
    expect(doc).toMatchObject({ active: "green", slots: { green: { healthy: true }, blue: { running: false } } });
  }, 180_000);
});
