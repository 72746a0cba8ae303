import { describe, expect, it } from "vitest";
import { FakeStack } from "../../fakes/index.js";
import { eventsOf, phaseTrail, runOperation } from "./event-checks.js";

/** green v2 is live after a deploy from blue v1; blue is as given. */
function afterDeploy(blue: "running" | "stopped" | "absent"): FakeStack {
  return FakeStack.seeded({
    live: "green",
    green: { version: "v2" },
    ...(blue === "absent" ? {} : { blue: { version: "v1", state: blue } }),
    state: { active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: blue === "running" },
  });
}

describe("rollback", () => {
  it("switches straight to a warm previous color without starting anything", async () => {
    const stack = afterDeploy("running");
    const { result, events } = await runOperation((h) => stack.engine.rollback(h));
    expect(result).toMatchObject({ outcome: "success", active: "blue", from: { color: "green", version: "v2" }, to: { color: "blue", version: "v1" } });
    expect(phaseTrail(result)).toEqual(["preflight:ok", "confirm:ok", "start:skipped", "switch:ok", "verify:ok"]);
    expect(result.message).toBe("rolled back: blue (v1) is live; green (v2) stays running for inspection — `bluegreen cleanup` removes it");
    expect(stack.compose.calls).toEqual([]);
    expect(stack.state.current).toMatchObject({ active: "blue", previous: "green", warm: true });
    expect(eventsOf(events, "confirm")[0]?.request.facts).toContainEqual(["plan", "blue is warm: switch at once"]);
  });

  it("starts a stopped previous color, waits for it to be healthy, then switches", async () => {
    const stack = afterDeploy("stopped");
    const idsBefore = stack.ids("blue");
    const { result, events } = await runOperation((h) => stack.engine.rollback(h));
    expect(result).toMatchObject({ outcome: "success", active: "blue", to: { color: "blue", version: "v1" } });
    expect(phaseTrail(result)).toEqual(["preflight:ok", "confirm:ok", "start:ok", "health:ok", "preview:ok", "switch:ok", "verify:ok"]);
    expect(stack.compose.calls).toHaveLength(1);
    expect(stack.compose.calls[0]).toMatchObject({ verb: "up", project: "shop-blue", env: { BLUEGREEN_VERSION: "v1" }, opts: { build: false, recreate: false } });
    expect(stack.ids("blue")).toEqual(idsBefore);
    expect(stack.stateOf("blue")).toBe("running");
    expect(stack.health.waits).toHaveLength(1);
    expect(eventsOf(events, "confirm")[0]?.request.facts).toContainEqual(["plan", "start the stopped blue (v1), wait healthy, then switch"]);
  });

  it("switches a color it started only once the proxy reaches it through the preview route (a stale lookup fails its first requests)", async () => {
    const stack = afterDeploy("stopped");
    stack.network.unreachable.blue = 4;
    const { result } = await runOperation((h) => stack.engine.rollback(h));
    expect(result).toMatchObject({ outcome: "success", active: "blue" });
    const toBlue = stack.network.requests.filter((r) => r.response.color === "blue");
    // 4 failed, then 3 in a row through the preview route, all before the switch; live requests after it.
    expect(toBlue.slice(0, 7).map((r) => `${r.url.startsWith("http://127.0.0.1:18081") ? "preview" : "live"} ${r.response.status}`)).toEqual([
      ...Array(4).fill("preview 502"),
      ...Array(3).fill("preview 200"),
    ]);
    expect(stack.network.requests.filter((r) => r.url.startsWith("http://127.0.0.1:18080") && r.response.status !== 200)).toEqual([]);
  });

  it("does not switch to a color the proxy never reaches, and stops it again", async () => {
    const stack = afterDeploy("stopped");
    stack.network.unreachable.blue = 1_000_000;
    const { result } = await runOperation((h) => stack.engine.rollback(h));
    expect(result).toMatchObject({ outcome: "failed", active: "green" });
    expect(phaseTrail(result).slice(-2)).toEqual(["health:ok", "preview:failed"]);
    expect(result.message).toContain("blue (v1) is healthy, but the proxy could not be pointed at it or did not reach it through the preview route, so live traffic was not switched");
    expect(result.message).toContain("the proxy did not reach blue through the preview route");
    expect(result.stateNow).toBe("green still serves live traffic; blue has been stopped");
    expect(result.message).toContain("last: HTTP 502 from blue");
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.stateOf("blue")).toBe("stopped");
  });

  it("recreates a removed previous color at the version recorded in the state file", async () => {
    const stack = afterDeploy("absent");
    const { result } = await runOperation((h) => stack.engine.rollback(h));
    expect(result).toMatchObject({ outcome: "success", active: "blue", to: { color: "blue", version: "v1" } });
    expect(stack.compose.calls.map((c) => ({ verb: c.verb, project: c.project, version: c.env.BLUEGREEN_VERSION, recreate: c.opts.recreate }))).toEqual([
      { verb: "up", project: "shop-blue", version: "v1", recreate: true },
    ]);
    expect(stack.versionOf("blue")).toBe("v1");
    expect(stack.stateOf("blue")).toBe("running");
  });

  it("leaves the live color serving when the previous color cannot be brought back healthy", async () => {
    const stack = afterDeploy("stopped");
    stack.scripts.blue.failure = "unhealthy";
    const { result } = await runOperation((h) => stack.engine.rollback(h));
    expect(result).toMatchObject({ outcome: "failed", active: "green" });
    expect(result.message).toContain("blue (v1) could not be brought back healthy");
    expect(result.message).toContain("Error: connect ECONNREFUSED redis:6379");
    expect(result.stateNow).toBe("green still serves live traffic; blue has been stopped");
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.stateOf("blue")).toBe("stopped");
    expect(stack.state.writes).toEqual([]);
  });

  it("does not claim a removed live color still serves traffic when the rollback cannot bring the previous one back", async () => {
    const stack = FakeStack.seeded({
      live: "green",
      blue: { version: "v1", state: "stopped" },
      state: { active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: false },
    });
    stack.scripts.blue.failure = "unhealthy";
    const { result } = await runOperation((h) => stack.engine.rollback(h));
    expect(result).toMatchObject({ outcome: "failed" });
    expect(result.stateNow).toBe("the proxy still routes live traffic to green (?, absent), so live requests fail until a healthy color is switched in; blue has been stopped");
    expect(result.stateNow).not.toContain("green still serves");
  });

  it("says clearly that there is nothing to roll back to on a stack that never deployed", async () => {
    const stack = new FakeStack();
    const { result } = await runOperation((h) => stack.engine.rollback(h));
    expect(result.outcome).toBe("failed");
    expect(result.message).toBe("there is nothing to roll back to: no color is live and no previous color is recorded");
    expect(result.nextStep).toBe("deploy a version with `bluegreen deploy --version V`");
    expect(stack.compose.calls).toEqual([]);
  });

  it("refuses to recreate a previous color whose version nobody recorded", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, state: { active: "blue", previous: null, versions: {}, warm: false } });
    const { result } = await runOperation((h) => stack.engine.rollback(h));
    expect(result.outcome).toBe("failed");
    expect(result.message).toBe("green is not running and its version is unknown, so it cannot be recreated");
    expect(stack.compose.calls).toEqual([]);
    expect(stack.proxy.switches).toEqual([]);
  });

  it("after a deploy that was rolled back, rolls back to the release before it, not to the failed one", async () => {
    const stack = FakeStack.seeded({
      live: "blue",
      blue: { version: "v1" },
      green: { version: "v0", state: "stopped" },
      state: { active: "blue", previous: "green", versions: { blue: "v1", green: "v0" }, warm: false },
    });
    stack.releases.byVersion.set("v2", { failure: "crash-after-switch" });
    const deployed = await runOperation((h) => stack.engine.deploy({ version: "v2" }, h));
    expect(deployed.result.outcome).toBe("rolled-back");

    const { result, events } = await runOperation((h) => stack.engine.rollback(h));
    expect(eventsOf(events, "confirm")[0]?.request.facts.find(([k]) => k === "plan")?.[1]).not.toContain("v2");
    expect(result.to).toEqual({ color: "green", version: "v0" });
    expect(stack.versionOf("green")).toBe("v0");
  });

  it("only touches the color it rolls back to", async () => {
    const stack = afterDeploy("stopped");
    const greenBefore = stack.docker.byColor("green");
    await runOperation((h) => stack.engine.rollback(h));
    expect(new Set(stack.compose.projects())).toEqual(new Set(["shop-blue"]));
    expect(stack.docker.byColor("green")).toEqual(greenBefore);
  });
});
