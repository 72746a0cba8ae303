import { afterEach, describe, expect, it } from "vitest";
import type { HarnessProgress, HarnessRunner } from "../../../src/tui/types.js";
import { FakeEngine } from "./fakes.js";
import { KEY, renderApp, waitFor, waitForText, type AppHarness } from "./render.js";

let app: AppHarness | null = null;
afterEach(() => {
  app?.unmount();
  app = null;
});

async function startDeploy(a: AppHarness, version = "v2"): Promise<void> {
  await waitForText(a, "BLUE");
  a.stdin.write("d");
  await waitForText(a, "Version to deploy:");
  a.stdin.write(version);
  a.stdin.write(KEY.enter);
  await waitForText(a, "Start the deploy? (y/n)");
}

describe("Deploy flow", () => {
  it("asks the version, shows the plan, runs the phases, asks before the switch and sums up", async () => {
    const engine = new FakeEngine();
    app = renderApp({ engine, columns: 80, rows: 24 });
    await startDeploy(app);
    expect(app.lastFrame()).toContain("Deploy v2 to green:");
    expect(app.lastFrame()).toContain("blue (v1) keeps serving live traffic until you confirm the");

    app.stdin.write("y");
    await waitForText(app, "build: building green v2");
    const building = app.lastFrame();
    expect(building).toMatch(/✔ preflight\s+12ms/);
    expect(building).toMatch(/– shared\s+skip/);
    expect(building).toMatch(/○ switch/);
    // Condensed build log: the last five lines only.
    expect(building).toContain("Step 7/7 : RUN build-step-7");
    expect(building).toContain("Step 3/7");
    expect(building).not.toContain("Step 2/7");
    for (const line of building.split("\n")) expect([...line].length).toBeLessThanOrEqual(80);
    expect(building.split("\n").length).toBeLessThanOrEqual(23);

    engine.open("build");
    await waitForText(app, "Switch live traffic from blue to green (v2)?");
    const asking = app.lastFrame();
    expect(asking).toContain("live now");
    expect(asking).toContain("green v2, healthy, smoke 2/2 ok");
    expect(asking).toContain("If yes: the proxy sends new requests to green;");
    expect(asking).toContain("blue drains");
    expect(asking).toMatch(/✔ smoke/);

    app.stdin.write("y");
    await waitForText(app, "deploy success");
    const done = app.lastFrame();
    expect(engine.confirmAnswers).toEqual([true]);
    expect(done).toContain("green v2 is live");
    expect(done).toMatch(/live now: green · blue v1 → green v2/);
    expect(done).toMatch(/✔ stop/);

    app.stdin.write(KEY.enter);
    const a = app;
    await waitFor(() => a.lastFrame().includes("GREEN ● ACTIVE"), "the dashboard with green live", a.lastFrame);
  });

  it("declining the switch leaves the old color live and says what to do next", async () => {
    const engine = new FakeEngine();
    app = renderApp({ engine });
    await startDeploy(app);
    app.stdin.write("y");
    await waitForText(app, "build:");
    engine.open("build");
    await waitForText(app, "If yes:");
    app.stdin.write("n");
    await waitForText(app, "deploy declined");
    expect(engine.confirmAnswers).toEqual([false]);
    expect(app.lastFrame()).toContain("state now: blue (v1) still serves all live traffic");
    expect(app.lastFrame()).toContain("next: switch later with s");
  });

  it("Ctrl-C aborts through the signal and shows the safe state; a second Ctrl-C quits with 130", async () => {
    const engine = new FakeEngine();
    app = renderApp({ engine });
    await startDeploy(app);
    app.stdin.write("y");
    await waitForText(app, "build:");
    app.stdin.write(KEY.ctrlC);
    await waitForText(app, "deploy aborted");
    expect(engine.abortedSeen).toBe(true);
    expect(app.lastFrame()).toContain("state now: blue (v1) still serves all live");
    // The sentence wraps where the width puts it; both halves must be there.
    expect(app.lastFrame()).toContain("green has");
    expect(app.lastFrame()).toMatch(/\bstopped\b/);
    expect(app.lastFrame()).toContain("next: deploy again when ready");
    expect(app.exits).toEqual([]);
  });

  it("a second Ctrl-C while the engine is still stopping quits at once with 130", async () => {
    const engine = new FakeEngine();
    // An engine that ignores the signal for a while: the operator's second Ctrl-C must still get out.
    engine.deploy = (_args, h) => new Promise(() => h.emit({ type: "phase", phase: "build", status: "start", detail: "stuck" }));
    app = renderApp({ engine });
    await startDeploy(app);
    app.stdin.write("y");
    await waitForText(app, "build: stuck");
    app.stdin.write(KEY.ctrlC);
    await waitForText(app, "Aborting");
    app.stdin.write(KEY.ctrlC);
    const a = app;
    await waitFor(() => a.exits.length > 0, "an exit", a.lastFrame);
    expect(app.exits).toEqual([130]);
  });

  it("refuses an invalid version and Esc goes back to the dashboard", async () => {
    app = renderApp();
    await waitForText(app, "BLUE");
    app.stdin.write("d");
    await waitForText(app, "Version to deploy:");
    app.stdin.write("-bad version");
    app.stdin.write(KEY.enter);
    await waitForText(app, "use letters, digits");
    app.stdin.write(KEY.escape);
    await waitForText(app, "d deploy");
  });

  it("a failed operation shows what happened, the state now and the next step", async () => {
    app = renderApp();
    await waitForText(app, "BLUE");
    app.stdin.write("r");
    await waitForText(app, "rollback failed");
    const frame = app.lastFrame();
    expect(frame).toContain("no previous color to roll back to");
    expect(frame).toContain("state now: blue (v1) serves all live traffic; nothing was changed");
    expect(frame).toContain("next: deploy a new version instead");
    expect(frame).toMatch(/✖ preflight/);
  });

  it("switch goes straight to the engine, whose question is the dialog", async () => {
    const engine = new FakeEngine();
    app = renderApp({ engine });
    await waitForText(app, "BLUE");
    app.stdin.write("s");
    await waitForText(app, "Switch live traffic to green?");
    app.stdin.write("y");
    await waitForText(app, "switch success");
  });

  it("v runs a deploy inside the harness and shows its live figures", async () => {
    const engine = new FakeEngine();
    const progress = (over: Partial<HarnessProgress>): HarnessProgress => ({ elapsedMs: 1000, phase: "baseline", reqPerSec: 400, p50: 1.2, p99: 4.5, errors: { hard: 0, keepAliveCloses: 0 }, wsAlive: 20, color: "blue", ...over });
    const harness: HarnessRunner = async (operation, io) => {
      io.onProgress(progress({}));
      io.onProgress(progress({ elapsedMs: 1250, p99: 9 }));
      const result = await operation();
      io.onProgress(progress({ elapsedMs: 9000, phase: "settle", reqPerSec: 612, p99: 6, errors: { hard: 0, keepAliveCloses: 3 }, wsAlive: 19, color: "green" }));
      return { verdict: result.outcome === "success" ? "PASS" : "FAIL", hard: 0, keepAliveCloses: 3 };
    };
    app = renderApp({ engine, harness });
    await waitForText(app, "BLUE");
    app.stdin.write("v");
    await waitForText(app, "Which operation?");
    app.stdin.write("d");
    await waitForText(app, "Version to deploy:");
    app.stdin.write("v2");
    app.stdin.write(KEY.enter);
    await waitForText(app, "Start the deploy?");
    app.stdin.write("y");
    await waitForText(app, "400 req/s");
    expect(app.lastFrame()).toMatch(/400 req\/s {2}p50 1\.2ms {2}p99 9\.0ms [▁-█]+/);
    expect(app.lastFrame()).toContain("WS sessions alive 20 · serving blue");
    engine.open("build");
    await waitForText(app, "If yes:");
    app.stdin.write("y");
    await waitForText(app, "PASS");
    const frame = app.lastFrame();
    expect(frame).toContain("612 req/s");
    expect(frame).toContain("errors: hard 0 · keep-alive closes 3");
    expect(frame).toContain("serving green");
  });

  it("v without a harness says how to verify instead", async () => {
    app = renderApp();
    await waitForText(app, "BLUE");
    app.stdin.write("v");
    await waitForText(app, "verify needs the load harness");
  });
});
