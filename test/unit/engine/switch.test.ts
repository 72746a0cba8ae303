import { describe, expect, it } from "vitest";
import { FakeStack } from "../../fakes/index.js";
import { eventsOf, phaseTrail, runOperation } from "./event-checks.js";

/** blue v1 live, green v2 running warm (after a deploy that kept the old color). */
function warmPair(): FakeStack {
  return FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v2" } });
}

describe("switch", () => {
  it("flips live traffic to the healthy standby and records it, without compose", async () => {
    const stack = warmPair();
    const { result, events } = await runOperation((h) => stack.engine.switch(h));
    expect(result).toMatchObject({ outcome: "success", active: "green", from: { color: "blue", version: "v1" }, to: { color: "green", version: "v2" } });
    expect(result.message).toBe("green (v2) is live; blue (v1) stays running warm");
    expect(phaseTrail(result)).toEqual(["preflight:ok", "confirm:ok", "switch:ok", "verify:ok"]);
    expect(stack.proxy.switches).toEqual(["green"]);
    expect(stack.state.current).toMatchObject({ active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: true, updatedBy: "alice@build-01" });
    expect(stack.compose.calls).toEqual([]);
    expect(eventsOf(events, "confirm")[0]?.request.facts).toEqual([
      ["now live", "blue (v1, healthy)"],
      ["switch to", "green (v2, healthy)"],
      ["proxy", "nginx"],
    ]);
    expect((await stack.engine.status()).conflicts).toEqual([]);
  });

  it("refuses when the other color is stopped, and changes nothing", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v0", state: "stopped" } });
    const { result } = await runOperation((h) => stack.engine.switch(h));
    expect(result).toMatchObject({ outcome: "failed", active: "blue", error: { kind: "failed" } });
    expect(result.message).toBe("cannot switch to green (v0, stopped): switch only flips between two running, healthy colors");
    expect(result.nextStep).toMatch(/bluegreen rollback/);
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.state.writes).toEqual([]);
    expect(stack.compose.calls).toEqual([]);
  });

  it("refuses when the other color runs but is not healthy", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v2", state: "unhealthy" } });
    const { result } = await runOperation((h) => stack.engine.switch(h));
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("green (v2, running, NOT healthy)");
    expect(stack.proxy.switches).toEqual([]);
  });

  it("refuses when the other color was never deployed, pointing at deploy", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    const { result } = await runOperation((h) => stack.engine.switch(h));
    expect(result.outcome).toBe("failed");
    expect(result.nextStep).toBe("deploy a version to green with `bluegreen deploy --version V`");
  });

  it("refuses with kind 'conflict' when the proxy routes to no color", async () => {
    const stack = FakeStack.seeded({ proxy: "stopped", blue: { version: "v1" }, green: { version: "v2" } });
    const { result } = await runOperation((h) => stack.engine.switch(h));
    expect(result.error?.kind).toBe("conflict");
    expect(result.message).toContain("the proxy routes to no color");
    expect(result.active).toBeNull();
  });

  it("switches back at once when verification fails after the flip", async () => {
    const stack = warmPair();
    stack.scripts.green.failure = "crash-after-switch";
    const { result } = await runOperation((h) => stack.engine.switch(h));
    expect(result.outcome).toBe("rolled-back");
    expect(phaseTrail(result)).toEqual(["preflight:ok", "confirm:ok", "switch:ok", "verify:ok", "rollback-switch:ok"]);
    expect(stack.proxy.switches).toEqual(["green", "blue"]);
    expect(result.active).toBe("blue");
    expect(result.message).toContain("switched back to blue");
    expect(result.message).toContain("FATAL: out of memory under live traffic");
    expect(result.stateNow).toBe("blue serves live traffic again");
    expect(stack.state.current).toMatchObject({ active: "blue", previous: "green" });
  });

  it("changes nothing when the switch is not confirmed", async () => {
    const stack = warmPair();
    const { result } = await runOperation((h) => stack.engine.switch(h), { answer: false });
    expect(result).toMatchObject({ outcome: "declined", active: "blue" });
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.state.writes).toEqual([]);
    expect(stack.lock.held).toBeNull();
  });
});
