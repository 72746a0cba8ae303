import { afterEach, describe, expect, it } from "vitest";
import { container, FakeEngine, makeStatus } from "./fakes.js";
import { renderApp, tick, waitFor, waitForText, type AppHarness } from "./render.js";

let app: AppHarness | null = null;
afterEach(() => {
  app?.unmount();
  app = null;
});

function lineWith(frame: string, text: string): string {
  return frame.split("\n").find((l) => l.includes(text)) ?? "";
}

describe("Dashboard", () => {
  it("marks the color the proxy routes to as ACTIVE, side by side at 100 columns, with versions and health", async () => {
    const engine = new FakeEngine(makeStatus({ active: "green", blue: [container("app-blue", { version: "v1" })], green: [container("app-green", { version: "v2" })] }));
    app = renderApp({ engine, columns: 100 });
    await waitForText(app, "GREEN");
    const frame = app.lastFrame();
    const titles = lineWith(frame, "GREEN");
    // One line holds both titles: the blue panel on the left is standby, the green on the right is ACTIVE.
    expect(titles).toContain("BLUE");
    expect(titles.indexOf("standby")).toBeLessThan(titles.indexOf("GREEN"));
    expect(titles.indexOf("ACTIVE")).toBeGreaterThan(titles.indexOf("GREEN"));
    expect(lineWith(frame, "app-blue")).toMatch(/running healthy v1 up 3m restarts 0/);
    expect(lineWith(frame, "app-green")).toMatch(/running healthy v2 up 3m/);
    expect(frame).toMatch(/proxy nginx → green · reachable/);
    expect(lineWith(frame, "redis")).toContain("healthy");
  });

  it("stacks the panels at 80×24 and every line fits in 80 columns and the frame in 24 rows", async () => {
    const engine = new FakeEngine(
      makeStatus({
        active: "blue",
        blue: [container("app-blue-with-a-rather-long-container-name", { version: "v1.2.3-rc.1+build.20250101" })],
        green: [container("app-green", { version: "v2", state: "running", health: "unhealthy", lastHealthOutput: "GET /health -> 503 Service Unavailable: redis connection refused at 172.18.0.3:6379 after 3 retries" })],
      }),
    );
    app = renderApp({ engine, columns: 80, rows: 24 });
    await waitForText(app, "GREEN");
    for (let i = 0; i < 30; i++) app.docker.emit("health_status: unhealthy");
    await waitForText(app, "app-green health_status".replace(" health_status", " unhealthy"));
    const frame = app.lastFrame();
    const lines = frame.split("\n");
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(lineWith(frame, "BLUE")).toContain("ACTIVE");
    expect(lineWith(frame, "BLUE")).not.toContain("GREEN");
    expect(lineWith(frame, "GREEN")).toContain("standby");
    expect(frame).toContain("last check: GET /health -> 503");
    expect(frame).toContain("d deploy  s switch  r rollback  c cleanup  v verify  l logs  ? help  q quit");
  });

  it("re-reads the status once, debounced, after a burst of Docker events and shows them in the events pane", async () => {
    const engine = new FakeEngine();
    app = renderApp({ engine });
    await waitForText(app, "BLUE");
    const before = engine.statusCalls;
    engine.current = makeStatus({ active: "blue", green: [container("app-green", { version: "v9", health: "starting" })] });
    app.docker.emit("create");
    app.docker.emit("start");
    app.docker.emit("exec_start: node /app/healthcheck.js");
    app.docker.emit("health_status: healthy");
    await waitForText(app, "v9");
    await tick(80);
    expect(engine.statusCalls - before).toBe(1);
    const frame = app.lastFrame();
    expect(frame).toMatch(/docker app-green start/);
    expect(frame).toMatch(/docker app-green healthy/);
    expect(frame).not.toContain("exec_start");
  });

  it("shows the drift warning when the state file disagrees with the proxy", async () => {
    const engine = new FakeEngine(
      makeStatus({ active: "green", recorded: "blue", green: [container("app-green")], conflicts: [{ kind: "state-drift", message: "the state file says blue is active but the proxy routes to green", recommend: "green", why: "the proxy routes live traffic to green and it is healthy" }] }),
    );
    app = renderApp({ engine });
    await waitForText(app, "drift");
    expect(app.lastFrame()).toContain("⚠ drift: the state file says blue is active, but the proxy routes to green");
  });

  it("names the lock holder when a deploy runs elsewhere", async () => {
    const engine = new FakeEngine(makeStatus({ lock: { pid: 4242, host: "ci-runner", user: "deployer", command: "deploy --version v3", startedAt: new Date().toISOString(), stale: false } }));
    app = renderApp({ engine });
    await waitForText(app, "locked:");
    expect(lineWith(app.lastFrame(), "locked:")).toMatch(/locked: deployer@ci-runner \(pid 4242\) runs `deploy --version v3` since \d\d:\d\d:\d\d/);
  });

  it("shows Docker reconnecting with the attempt number and recovers when connected", async () => {
    const engine = new FakeEngine();
    app = renderApp({ engine });
    await waitForText(app, "BLUE");
    app.docker.onStatus?.({ state: "reconnecting", attempt: 3, error: "connect ENOENT /var/run/docker.sock" });
    await waitForText(app, "Docker: reconnecting (attempt 3)…");
    const before = engine.statusCalls;
    app.docker.onStatus?.({ state: "connected" });
    const a = app;
    await waitFor(() => !a.lastFrame().includes("reconnecting (attempt"), "the banner to go", a.lastFrame);
    await waitFor(() => engine.statusCalls > before, "a status refresh after reconnecting", a.lastFrame);
    expect(a.lastFrame()).toContain("docker connected");
  });

  it("re-lays out on resize: side by side at 120 columns, stacked at 80", async () => {
    app = renderApp({ columns: 120, rows: 30 });
    await waitForText(app, "BLUE");
    expect(lineWith(app.lastFrame(), "BLUE")).toContain("GREEN");
    app.stdout.resize(80, 24);
    const a = app;
    await waitFor(() => !lineWith(a.lastFrame(), "BLUE").includes("GREEN"), "stacked panels", a.lastFrame);
    for (const line of a.lastFrame().split("\n")) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it("moves the selection with Tab and shows the selected container's logs with l", async () => {
    app = renderApp();
    await waitForText(app, "› app-blue");
    await app.stdin.write("\t");
    await waitForText(app, "› proxy");
    await app.stdin.write("l");
    await waitForText(app, "proxy log line 1");
    expect(app.lastFrame()).toContain("Logs: proxy");
    expect(app.docker.logsRequested).toEqual(["proxy"]);
  });

  it("quits with q and exit code 0", async () => {
    app = renderApp();
    await waitForText(app, "BLUE");
    await app.stdin.write("q");
    await tick();
    expect(app.exits).toEqual([0]);
  });
});

describe("Dashboard on a swarm", () => {
  it("shows each task's node and each proxy replica's routing, the one that disagrees marked", async () => {
    const status = makeStatus({
      active: "blue",
      blue: [container("app-blue.1", { version: "v1", node: "bgl-node1" }), container("app-blue.2", { version: "v1", node: "bgl-node2" })],
    });
    status.proxy = {
      ...status.proxy,
      driver: "haproxy",
      target: null,
      replicas: [
        { node: "bgl-node1", live: "blue", preview: "green" },
        { node: "bgl-node2", live: "blue", preview: "green" },
        { node: "bgl-node3", live: "green", preview: "green" },
      ],
    };
    app = renderApp({ engine: new FakeEngine(status), columns: 100, rows: 40 });
    await waitForText(app, "replica on bgl-node3");
    const frame = app.lastFrame();
    expect(lineWith(frame, "app-blue.1")).toMatch(/app-blue\.1 on bgl-node1 running healthy v1/);
    expect(lineWith(frame, "app-blue.2")).toMatch(/on bgl-node2/);
    expect(lineWith(frame, "replica on bgl-node3")).toContain("live → green, preview → green");
    expect(lineWith(frame, "replica on bgl-node1")).toContain("live → blue, preview → green");
  });
});
