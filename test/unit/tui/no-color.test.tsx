import { afterEach, describe, expect, it, vi } from "vitest";

// Colors on for this file (Vitest's stdout is no TTY), so the NO_COLOR check below means something.
vi.hoisted(() => {
  process.env.FORCE_COLOR = "1";
});

import { container, FakeEngine, makeStatus } from "./fakes.js";
import { KEY, renderApp, waitForText, type AppHarness } from "./render.js";

let app: AppHarness | null = null;
afterEach(() => {
  app?.unmount();
  app = null;
});

const ESC_SEQ = "\u001b[";

describe("NO_COLOR", () => {
  const status = () => makeStatus({ green: [container("app-green", { health: "unhealthy", lastHealthOutput: "503" })] });

  it("colors the dashboard when color is allowed", async () => {
    app = renderApp({ engine: new FakeEngine(status()), noColor: false });
    await waitForText(app, "GREEN");
    expect(app.lastFrame()).toContain(ESC_SEQ);
  });

  it("writes no escape sequence at all under NO_COLOR: dashboard, selection, help, deploy dialog", async () => {
    app = renderApp({ engine: new FakeEngine(status()), noColor: true });
    await waitForText(app, "GREEN");
    expect(app.lastFrame()).not.toContain(ESC_SEQ);
    app.stdin.write(KEY.tab);
    await waitForText(app, "› app-green");
    expect(app.lastFrame()).not.toContain(ESC_SEQ);
    app.stdin.write("?");
    await waitForText(app, "Keys");
    expect(app.lastFrame()).not.toContain(ESC_SEQ);
    app.stdin.write(KEY.escape);
    await waitForText(app, "Events");
    app.stdin.write("d");
    await waitForText(app, "Version to deploy");
    app.stdin.write("v2");
    await waitForText(app, "v2");
    app.stdin.write(KEY.enter);
    await waitForText(app, "Start the deploy?");
    expect(app.frames().every((f) => !f.includes(ESC_SEQ))).toBe(true);
  });

  it("reads NO_COLOR from the environment when not told", async () => {
    const { noColorFromEnv } = await import("../../../src/tui/contexts/theme-context.js");
    expect(noColorFromEnv({ NO_COLOR: "1" })).toBe(true);
    expect(noColorFromEnv({ NO_COLOR: "" })).toBe(false);
    expect(noColorFromEnv({})).toBe(false);
  });
});
