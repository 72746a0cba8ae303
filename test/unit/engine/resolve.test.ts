import { describe, expect, it } from "vitest";
import { createStyle } from "../../../src/cli/render/style.js";
import { renderStatusText } from "../../../src/cli/render/status-text.js";
import { Engine } from "../../../src/engine/engine.js";
import { ReplicatedProxyDriver, type ProxyReplica } from "../../../src/proxy/replicated.js";
import { FakeStack } from "../../fakes/index.js";
import { ReplicaFake } from "../../fakes/replica.js";
import { eventsOf, phaseTrail, runOperation } from "./event-checks.js";

/** Both colors run, nothing records a warm standby: an interrupted deploy left them so. */
function bothRunning(opts: { blue?: "running" | "unhealthy" } = {}): FakeStack {
  return FakeStack.seeded({
    live: "green",
    blue: { version: "v1", state: opts.blue ?? "running" },
    green: { version: "v2" },
    state: { active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: false },
  });
}

describe("resolve", () => {
  it("keeps the recommended color when both run, stops the other, and the state agrees with the proxy", async () => {
    const stack = bothRunning();
    const greenBefore = stack.docker.byColor("green");
    const { result, events } = await runOperation((h) => stack.engine.resolve({ keep: null }, h));
    expect(result).toMatchObject({ outcome: "success", active: "green", to: { color: "green", version: "v2" } });
    expect(phaseTrail(result)).toEqual(["preflight:ok", "confirm:ok", "resolve:ok"]);
    expect(stack.stateOf("blue")).toBe("stopped");
    expect(stack.docker.byColor("green")).toEqual(greenBefore);
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.compose.calls.map((c) => `${c.verb} ${c.project}`)).toEqual(["stop shop-blue"]);
    expect(stack.state.current).toMatchObject({ active: "green", previous: "blue", warm: false });
    const facts = eventsOf(events, "confirm")[0]?.request.facts ?? [];
    expect(facts.map(([label]) => label)).toEqual(["both-running", "blue", "green", "proxy routes to", "state file says", "recommendation"]);
    expect(facts).toContainEqual(["recommendation", "keep green: the proxy routes live traffic to green and it is healthy"]);
    expect((await stack.engine.status()).conflicts).toEqual([]);
  });

  it("rewrites the state from the proxy when they drift, without touching containers", async () => {
    const stack = FakeStack.seeded({
      live: "blue",
      blue: { version: "v1" },
      green: { version: "v2", state: "stopped" },
      state: { active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: false },
    });
    const { result } = await runOperation((h) => stack.engine.resolve({ keep: null }, h));
    expect(result).toMatchObject({ outcome: "success", active: "blue" });
    expect(stack.state.current).toMatchObject({ active: "blue", previous: "green", versions: { blue: "v1", green: "v2" } });
    expect(stack.compose.calls).toEqual([]);
    expect(stack.proxy.switches).toEqual([]);
  });

  it("keeps the color given with --keep over the recommendation, switching the proxy to it", async () => {
    const stack = bothRunning();
    const { result } = await runOperation((h) => stack.engine.resolve({ keep: "blue" }, h));
    expect(result).toMatchObject({ outcome: "success", active: "blue", from: { color: "green" }, to: { color: "blue", version: "v1" } });
    expect(result.message).toBe("resolved: blue (v1) is live and recorded; switch the proxy to blue, stop green, record blue as active in the state file");
    expect(stack.proxy.switches).toEqual(["blue"]);
    expect(stack.stateOf("green")).toBe("stopped");
    expect(stack.state.current).toMatchObject({ active: "blue", previous: "green", warm: false });
  });

  it("refuses to keep an unhealthy color and changes nothing", async () => {
    const stack = bothRunning({ blue: "unhealthy" });
    const { result } = await runOperation((h) => stack.engine.resolve({ keep: "blue" }, h));
    expect(result).toMatchObject({ outcome: "failed", active: "green" });
    expect(result.message).toBe("refusing to keep blue (v1, running, NOT healthy): live traffic would go to a color with no healthy container");
    expect(result.nextStep).toMatch(/--keep green/);
    expect(stack.compose.calls).toEqual([]);
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.state.writes).toEqual([]);
  });

  it("takes a stale lock over, then holds and releases its own", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v0", state: "stopped" } });
    stack.lock.holdElsewhere({ stale: true });
    const { result } = await runOperation((h) => stack.engine.resolve({ keep: null }, h));
    expect(result.outcome).toBe("success");
    expect(result.message).toContain("the stale lock was taken over");
    expect(stack.lock.takeOvers).toBe(1);
    expect(stack.lock.acquisitions).toBe(1);
    expect(stack.lock.releases).toBe(1);
    expect(stack.lock.held).toBeNull();
    expect(stack.compose.calls).toEqual([]);
  });

  it("after a deploy killed during verify (both colors running, its lock stale), settles fully around the live color: takes the lock over, stops the old color, ends with one color", async () => {
    // What a deploy killed after its switch leaves: green (v2) live and recorded active with blue
    // still warm (the switch wrote warm: true), and the dead deploy's lock.
    const stack = FakeStack.seeded({ live: "green", blue: { version: "v1" }, green: { version: "v2" } });
    stack.lock.holdElsewhere({ stale: true, command: "deploy --version v2" });
    const before = await stack.engine.status();
    expect([before.slots.blue.running, before.slots.green.running]).toEqual([true, true]);
    expect(before.state).toMatchObject({ active: "green", warm: true });
    expect(before.conflicts.map((c) => c.kind)).toEqual(["stale-lock"]);
    const greenBefore = stack.docker.byColor("green");

    const { result, events } = await runOperation((h) => stack.engine.resolve({ keep: null }, h));

    expect(result).toMatchObject({ outcome: "success", active: "green", to: { color: "green", version: "v2" } });
    expect(phaseTrail(result)).toEqual(["preflight:ok", "confirm:ok", "resolve:ok"]);
    expect(result.message).toBe("resolved: green (v2) is live and recorded; stop blue, record green as active in the state file; the stale lock was taken over");
    const facts = eventsOf(events, "confirm")[0]?.request.facts ?? [];
    expect(facts.find(([k]) => k === "stale lock")?.[1]).toContain("ran `deploy --version v2`");
    // The lock: the stale one taken over in one step, this run's own released at the end.
    expect([stack.lock.takeOvers, stack.lock.acquisitions, stack.lock.releases]).toEqual([1, 1, 1]);
    expect(stack.lock.held).toBeNull();
    // One color: blue stopped, green untouched (same containers), the routing re-asserted on green.
    expect(stack.compose.calls.map((c) => `${c.verb} ${c.project}`)).toEqual(["stop shop-blue"]);
    expect([stack.stateOf("blue"), stack.stateOf("green")]).toEqual(["stopped", "running"]);
    expect(stack.docker.byColor("green")).toEqual(greenBefore);
    expect(stack.proxy.live).toBe("green");
    expect(stack.state.current).toMatchObject({ active: "green", previous: "blue", warm: false, versions: { blue: "v1", green: "v2" } });
    const after = await stack.engine.status();
    expect(after.conflicts).toEqual([]);
    expect(after.lock).toBeNull();
  });

  it("rewrites an unreadable state file from the proxy", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, state: "corrupt" });
    const { result } = await runOperation((h) => stack.engine.resolve({ keep: null }, h));
    expect(result.outcome).toBe("success");
    expect(stack.state.current).toMatchObject({ active: "blue", versions: { blue: "v1" }, warm: false });
    expect((await stack.engine.status()).conflicts).toEqual([]);
  });

  it("is a noop without asking anything when nothing disagrees", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v0", state: "stopped" } });
    const { result, questions } = await runOperation((h) => stack.engine.resolve({ keep: null }, h));
    expect(result).toMatchObject({ outcome: "noop", message: "nothing to resolve: blue is live and everything agrees" });
    expect(phaseTrail(result)).toEqual(["preflight:ok", "resolve:skipped"]);
    expect(questions).toEqual([]);
    expect(stack.compose.calls).toEqual([]);
    expect(stack.state.writes).toEqual([]);
  });

  it("asks for --keep when no color can be recommended", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v2" }, state: null });
    stack.proxy.live = null;
    const { result } = await runOperation((h) => stack.engine.resolve({ keep: null }, h));
    expect(result.error?.kind).toBe("usage");
    expect(result.nextStep).toMatch(/bluegreen resolve --keep blue\|green/);
    expect(stack.compose.calls).toEqual([]);
  });

  it("changes nothing when not confirmed", async () => {
    const stack = bothRunning();
    const { result } = await runOperation((h) => stack.engine.resolve({ keep: null }, h), { answer: false });
    expect(result.outcome).toBe("declined");
    expect(stack.stateOf("blue")).toBe("running");
    expect(stack.state.writes).toEqual([]);
  });
});

describe("a proxy of several replicas that disagree", () => {
  function replicatedStack(): { stack: FakeStack; others: ReplicaFake[]; engine: Engine } {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v2" } });
    const others = [new ReplicaFake(), new ReplicaFake()];
    const replicas: ProxyReplica[] = [{ node: "node1", driver: stack.proxy }, ...others.map((driver, i) => ({ node: `node${i + 2}`, driver }))];
    const engine = new Engine({ ...stack.ports, proxy: new ReplicatedProxyDriver("haproxy", async () => replicas) });
    return { stack, others, engine };
  }

  it("status names the conflict and who routes where; resolve points every replica at the recorded color", async () => {
    const { stack, others, engine } = replicatedStack();
    (others[1] as ReplicaFake).live = "green";
    const status = await engine.status();
    expect(status.proxy.replicas?.map((r) => `${r.node}:${r.live}`)).toEqual(["node1:blue", "node2:blue", "node3:green"]);
    expect(status.conflicts.map((c) => c.kind)).toEqual(["proxy-replicas-disagree"]);
    expect(status.conflicts[0]).toMatchObject({ recommend: "blue", message: expect.stringContaining("node3 live→green") });
    expect(renderStatusText(status, createStyle({ isTTY: false }))).toMatch(/replica on node3 +live → green, preview → green/);

    const { result } = await runOperation((h) => engine.resolve({ keep: null }, h));
    expect(result).toMatchObject({ outcome: "success", to: { color: "blue" } });
    expect([stack.proxy.live, ...others.map((o) => o.live)]).toEqual(["blue", "blue", "blue"]);
    expect(stack.stateOf("green")).toBe("stopped");
    expect((await engine.status()).conflicts).toEqual([]);
  });

  it("a switch refused by one replica leaves every replica and the state file on the old color", async () => {
    const { stack, others, engine } = replicatedStack();
    (others[0] as ReplicaFake).refuse = "HAProxy refused set server live/green";
    const { result } = await runOperation((h) => engine.switch(h));
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("node2 refused: HAProxy refused set server live/green");
    expect([stack.proxy.live, ...others.map((o) => o.live)]).toEqual(["blue", "blue", "blue"]);
    expect(stack.state.current?.active).toBe("blue");
  });
});
