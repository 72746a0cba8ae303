import { afterEach, describe, expect, it } from "vitest";
import type { Conflict } from "../../../src/engine/status-model.js";
import { container, FakeEngine, makeStatus } from "./fakes.js";
import { KEY, renderApp, waitFor, waitForText, type AppHarness } from "./render.js";

let app: AppHarness | null = null;
afterEach(() => {
  app?.unmount();
  app = null;
});

const bothRunning: Conflict = {
  kind: "both-running",
  message: "both colors are running and no deploy is in progress",
  recommend: "green",
  why: "the proxy routes live traffic to green and it is healthy",
};

function conflicted(): FakeEngine {
  return new FakeEngine(
    makeStatus({ active: "green", recorded: "blue", blue: [container("app-blue", { version: "v1" })], green: [container("app-green", { version: "v2" })], conflicts: [bothRunning, { ...bothRunning, kind: "state-drift", message: "the state file says blue is active but the proxy routes to green" }] }),
  );
}

async function openResolver(columns = 100): Promise<AppHarness> {
  const a = renderApp({ engine: conflicted(), columns, rows: 30 });
  await waitForText(a, "The stack disagrees with itself");
  return a;
}

describe("Conflict resolver", () => {
  it("opens by itself with both sides' facts and the recommendation", async () => {
    app = await openResolver();
    const frame = app.lastFrame();
    expect(frame).toContain("• both-running: both colors are running");
    expect(frame).toContain("• state-drift:");
    expect(frame).toMatch(/version +v1/);
    expect(frame).toMatch(/version +v2/);
    expect(frame).toContain("routes live traffic HERE");
    expect(frame).toContain("recorded as active");
    expect(frame).toContain("proxy routes to green · state file says blue");
    expect(frame).toContain("Recommended: keep green — the proxy routes live traffic to green and it is healthy");
    expect(frame).toContain("Enter keep green (recommended)");
  });

  it("b keeps blue: resolve is called with blue and its confirmation answered yes", async () => {
    app = await openResolver();
    app.stdin.write("b");
    await waitForText(app, "resolve success");
    expect(app.engine.resolveCalls).toEqual([{ keep: "blue", confirmed: true }]);
  });

  it("g keeps green", async () => {
    app = await openResolver(80);
    for (const line of app.lastFrame().split("\n")) expect([...line].length).toBeLessThanOrEqual(80);
    app.stdin.write("g");
    await waitForText(app, "resolve success");
    expect(app.engine.resolveCalls).toEqual([{ keep: "green", confirmed: true }]);
  });

  it("Enter accepts the recommendation, and the dashboard follows the settled stack", async () => {
    app = await openResolver();
    app.stdin.write(KEY.enter);
    await waitForText(app, "resolved: green is live and recorded");
    expect(app.engine.resolveCalls).toEqual([{ keep: "green", confirmed: true }]);
    app.stdin.write(KEY.enter);
    const a = app;
    await waitFor(() => a.lastFrame().includes("GREEN ● ACTIVE") && !a.lastFrame().includes("conflict"), "the settled dashboard", a.lastFrame);
  });

  it("Esc leaves it unresolved with a banner, and x opens it again", async () => {
    app = await openResolver();
    app.stdin.write(KEY.escape);
    await waitForText(app, "⚠ conflict: both-running, state-drift — press x to resolve");
    expect(app.engine.resolveCalls).toEqual([]);
    app.stdin.write("x");
    await waitForText(app, "The stack disagrees with itself");
  });
});
