import { describe, expect, it } from "vitest";
import { FakeStack } from "../../fakes/index.js";

describe("status", () => {
  it("reports both colors, the proxy's real target, the state and no conflict for a settled stack", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v0", state: "stopped" } });
    const status = await stack.engine.status();
    expect(status.active).toBe("blue");
    expect(status.proxy).toMatchObject({ driver: "nginx", reachable: true, target: "blue", preview: "green" });
    expect(status.slots.blue).toMatchObject({ running: true, healthy: true, exists: true, version: "v1" });
    expect(status.slots.green).toMatchObject({ running: false, healthy: false, exists: true, version: "v0" });
    expect(status.state?.active).toBe("blue");
    expect(status.shared.map((c) => c.service).sort()).toEqual(["proxy", "redis"]);
    expect(status.lock).toBeNull();
    expect(status.conflicts).toEqual([]);
  });

  it("takes the live color from the proxy, not from the state file", async () => {
    const stack = FakeStack.seeded({
      live: "green",
      blue: { version: "v1" },
      green: { version: "v2" },
      state: { active: "blue", previous: "green", versions: { blue: "v1", green: "v2" }, warm: true },
    });
    const status = await stack.engine.status();
    expect(status.active).toBe("green");
    expect(status.state?.active).toBe("blue");
    const drift = status.conflicts.find((c) => c.kind === "state-drift");
    expect(drift?.message).toBe("the state file says blue is active but the proxy routes to green");
    expect(drift?.recommend).toBe("green");
  });

  it("does not call a recorded warm standby both-running", async () => {
    const stack = FakeStack.seeded({ live: "green", blue: { version: "v1" }, green: { version: "v2" } });
    expect(stack.state.current?.warm).toBe(true);
    expect((await stack.engine.status()).conflicts).toEqual([]);
  });

  it("reports both-running with the proxy's healthy target as the recommendation", async () => {
    const stack = FakeStack.seeded({
      live: "green",
      blue: { version: "v1" },
      green: { version: "v2" },
      state: { active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: false },
    });
    const [conflict, ...rest] = (await stack.engine.status()).conflicts;
    expect(rest).toEqual([]);
    expect(conflict).toMatchObject({ kind: "both-running", recommend: "green" });
  });

  it("reports a proxy routing to a stopped color and recommends the healthy one", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1", state: "stopped" }, green: { version: "v2" }, state: { active: "blue", previous: null, versions: {}, warm: false } });
    const status = await stack.engine.status();
    expect(status.conflicts.map((c) => c.kind)).toEqual(["proxy-target-unhealthy"]);
    expect(status.conflicts[0]?.recommend).toBe("green");
  });

  it("reports a stale lock but not a lock this process holds", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    stack.lock.holdElsewhere({ stale: true });
    expect((await stack.engine.status()).conflicts.map((c) => c.kind)).toEqual(["stale-lock"]);

    stack.lock.held = null;
    const mine = await stack.lock.acquire("deploy --version v2");
    const status = await stack.engine.status();
    expect(status.lock?.command).toBe("deploy --version v2");
    expect(status.conflicts).toEqual([]);
    await mine.release();
  });

  it("reports an unreachable proxy control channel with its error and no live color", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    stack.proxy.unreachable = true;
    const status = await stack.engine.status();
    expect(status.active).toBeNull();
    expect(status.proxy.reachable).toBe(false);
    expect(status.proxy.detail).toMatch(/timed out/);
    expect(status.conflicts.map((c) => c.kind)).toEqual(["proxy-unreachable"]);
  });

  it("reports an unreadable state file as state-corrupt and still reads everything else", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, state: "corrupt" });
    const status = await stack.engine.status();
    expect(status.state).toBeNull();
    expect(status.stateError).toMatch(/not valid JSON/);
    expect(status.active).toBe("blue");
    expect(status.conflicts.map((c) => c.kind)).toEqual(["state-corrupt"]);
    expect(status.conflicts[0]?.recommend).toBe("blue");
  });

  it("reads a stack whose proxy is not running without asking the proxy", async () => {
    const stack = FakeStack.seeded({ proxy: "stopped", live: "blue", blue: { version: "v1" } });
    const status = await stack.engine.status();
    expect(status.proxy).toMatchObject({ reachable: false, target: null, detail: "proxy container is exited" });
    expect(status.conflicts.map((c) => c.kind)).toEqual(["proxy-down"]);
  });
});
