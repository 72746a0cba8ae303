import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { renderStatusText } from "../../../src/cli/render/status-text.js";
import { createStyle } from "../../../src/cli/render/style.js";
import { container, makeStatus } from "../tui/fakes.js";

const plain = createStyle({ isTTY: false });
const terminal = createStyle({ isTTY: true }, {});

/** Green live but unhealthy, the state file still on blue: a drift without a recommendation. */
function drifted() {
  return makeStatus({
    active: "green",
    recorded: "blue",
    green: [container("app-green", { version: "v2", health: "unhealthy", lastHealthOutput: "503\nredis down" })],
    conflicts: [{ kind: "state-drift", message: "the state file says blue is active but the proxy routes to green", recommend: null, why: "no color is healthy" }],
  });
}

describe("the plain status (bluegreen status, and bluegreen without a terminal)", () => {
  it("says how the proxy applies a switch when its driver tells (nginx: njs or reload)", () => {
    const status = drifted();
    status.proxy = { ...status.proxy, how: "route read per request by njs: a switch needs no reload" };
    expect(renderStatusText(status, plain, { now: Date.now() })).toContain("proxy  nginx → green, reachable (route read per request by njs: a switch needs no reload)");
  });

  it("prints both slots, their containers, the proxy, the state file and the conflicts without escape codes", () => {
    const text = renderStatusText(drifted(), plain, { now: Date.now() });
    expect(text).not.toContain("\u001b[");
    expect(text).toContain("demo: live green (v2) via nginx");
    expect(text).toMatch(/ {2}blue {3}standby +v1 +healthy/);
    expect(text).toMatch(/ {2}green {2}ACTIVE +v2 +running, not healthy/);
    expect(text).toContain("app-green  running  unhealthy  v2  up 3m  restarts 0; last check: 503 redis down");
    expect(text).toContain("proxy  nginx → green, reachable");
    expect(text).toContain("state file: blue active, by op@host at 2025-01-01T00:00:00Z");
    expect(text).toContain("WARNING: the state file says blue is active, but the proxy routes to green");
    expect(text).toContain("conflicts (1):");
    expect(text).toContain("- state-drift: the state file says blue is active");
    expect(text).toContain("no recommendation: no color is healthy");
    expect(text.endsWith("\n")).toBe(true);
  });

  it("names the command that applies a recommendation, and a stale lock's holder", () => {
    const status = makeStatus({
      active: "blue",
      green: [container("app-green", { version: "v2" })],
      lock: { pid: 4242, host: "ci-7", user: "deployer", command: "deploy --version v2", startedAt: "2025-01-01T11:00:00Z", stale: true },
      conflicts: [{ kind: "both-running", message: "both colors are running", recommend: "blue", why: "the proxy routes live traffic to blue and it is healthy" }],
    });
    const text = renderStatusText(status, plain);
    expect(text).toContain("recommended: keep blue (the proxy routes live traffic to blue and it is healthy): `bluegreen resolve --keep blue`");
    expect(text).toContain("lock: STALE deployer@ci-7 (pid 4242) runs `deploy --version v2` since 2025-01-01T11:00:00Z");
  });

  it("shows the previous color and whether it is kept warm, and says when no shared service runs", () => {
    const status = makeStatus({ active: "green", green: [container("app-green", { version: "v2" })] });
    status.state = { active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: true, updatedAt: "2025-01-02T00:00:00Z", updatedBy: "op@host" };
    status.shared = [];
    const text = renderStatusText(status, plain);
    expect(text).toContain("state file: green active, previous blue (kept warm), by op@host at 2025-01-02T00:00:00Z");
    expect(text).toContain("(no shared services running)");
  });

  it("says when the proxy cannot be asked, and when the state file is unreadable", () => {
    const status = makeStatus({ active: null });
    status.proxy = { ...status.proxy, reachable: false, target: null, detail: "connect ENOENT /run/bluegreen/nginx-admin.sock" };
    status.state = null;
    status.stateError = "Unexpected end of JSON input";
    const text = renderStatusText(status, plain);
    expect(text).toContain("demo: live nothing via nginx");
    expect(text).toContain("proxy  nginx → nothing, unreachable: connect ENOENT /run/bluegreen/nginx-admin.sock");
    expect(text).toContain("state file: unreadable: Unexpected end of JSON input");
  });

  it("warns of what the platform runs short of (a swarm node down), and says nothing when it is whole", () => {
    const status = drifted();
    expect(renderStatusText(status, plain)).not.toContain("WARNING: swarm node");
    status.degraded = ["swarm node bgl-node3 is down in the manager's docker node ls: its tasks and its proxy replica are left out"];
    expect(renderStatusText(status, plain)).toContain("  WARNING: swarm node bgl-node3 is down in the manager's docker node ls: its tasks and its proxy replica are left out\n");
  });

  it("lists the commands to run instead of the dashboard only when asked, the conflict's fix first", () => {
    expect(renderStatusText(drifted(), plain)).not.toContain("No terminal here");
    const text = renderStatusText(drifted(), plain, { nextSteps: true });
    expect(text).toContain("No terminal here, so no dashboard. Run one of:");
    const steps = text.slice(text.indexOf("Run one of:")).split("\n").slice(1).filter(Boolean);
    expect(steps[0]).toMatch(/bluegreen resolve \[--keep blue\|green\] +settle the conflict above first/);
    expect(text).toMatch(/bluegreen deploy --version V +deploy V to the standby color/);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("puts bluegreen up first when the proxy is down", () => {
    const status = makeStatus({ conflicts: [{ kind: "proxy-down", message: "the proxy container does not exist", recommend: null, why: "start it with `bluegreen up`" }] });
    const text = renderStatusText(status, plain, { nextSteps: true });
    expect(text).toContain("what to do: start it with `bluegreen up`");
    expect(text.slice(text.indexOf("Run one of:")).split("\n")[1]).toMatch(/bluegreen up +start the shared services/);
  });

  it("colors the colors and the conflicts on a terminal, keeping the columns aligned", () => {
    const text = renderStatusText(drifted(), terminal);
    expect(text).toContain("  \u001b[34mblue  \u001b[39m standby");
    expect(text).toContain("\u001b[31m  conflicts (1):\u001b[39m");
    const plainLines = renderStatusText(drifted(), plain).split("\n");
    expect(text.split("\n").map((l) => stripVTControlCharacters(l))).toEqual(plainLines);
  });
});
