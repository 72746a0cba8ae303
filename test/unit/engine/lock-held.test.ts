import { describe, expect, it } from "vitest";
import { smokeSlot } from "../../../src/engine/operations/smoke-slot.js";
import { FakeStack } from "../../fakes/index.js";
import { eventsOf, runOperation } from "./event-checks.js";

function liveBlue(): FakeStack {
  return FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
}

describe("a lock lost while held (proper-lockfile: compromised)", () => {
  it("stops a deploy before its next change to containers or traffic, and says what state it left", async () => {
    const stack = liveBlue();
    let callsAtLoss = -1;
    const { result } = await runOperation((h) => stack.engine.deploy({ version: "v2" }, h), {
      onEvent: (e) => {
        if (e.type === "phase" && e.phase === "health" && e.status === "start") {
          callsAtLoss = stack.compose.calls.length;
          stack.lock.loseLock("the lock directory was removed by someone else");
        }
      },
    });
    expect(result.outcome).toBe("failed");
    expect(result.error?.kind).toBe("failed");
    expect(result.message).toMatch(/lock .*lost/);
    expect(result.message).toContain("the lock directory was removed by someone else");
    // Nothing was changed after the loss: no compose call (not even stopping green), no proxy change, no state write.
    expect(stack.compose.calls.length).toBe(callsAtLoss);
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.proxy.previewPoints).toEqual([]);
    expect(stack.state.writes).toEqual([]);
    // What it left: green started, blue still live.
    expect(result.stateNow).toContain("the proxy routes live traffic to blue");
    expect(result.stateNow).toMatch(/green \(v2, running/);
    expect(result.nextStep).toMatch(/bluegreen status/);
  });

  it("stops a switch that lost its lock at the confirmation before touching the proxy", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v2" } });
    const { result } = await runOperation((h) => stack.engine.switch(h), {
      onEvent: (e) => {
        if (e.type === "confirm") stack.lock.loseLock("mtime changed by another process");
      },
    });
    expect(result.outcome).toBe("failed");
    expect(result.message).toMatch(/lock .*lost/);
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.state.writes).toEqual([]);
  });
});

describe("resolve holds the lock for its whole run", () => {
  it("takes a stale lock over in one step before its preflight, and holds it through the confirmation", async () => {
    // The state file disagrees with the proxy (a deploy killed mid-switch) and its lock is stale.
    const stack = FakeStack.seeded({
      live: "blue",
      blue: { version: "v1" },
      green: { version: "v2", state: "stopped" },
      state: { active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: false },
    });
    stack.lock.holdElsewhere({ stale: true });
    const holderAtConfirm: Array<number | undefined> = [];
    const holderAtPreflight: Array<number | undefined> = [];
    const { result, events } = await runOperation((h) => stack.engine.resolve({ keep: null }, h), {
      onEvent: (e) => {
        if (e.type === "phase" && e.phase === "preflight" && e.status === "start") holderAtPreflight.push(stack.lock.held?.pid);
        if (e.type === "confirm") holderAtConfirm.push(stack.lock.held?.pid);
      },
    });
    expect(result.outcome).toBe("success");
    expect(holderAtPreflight).toEqual([process.pid]);
    expect(holderAtConfirm).toEqual([process.pid]);
    expect(stack.lock.takeOvers).toBe(1);
    expect(stack.lock.acquisitions).toBe(1);
    const facts = eventsOf(events, "confirm")[0]?.request.facts ?? [];
    expect(facts.find(([k]) => k === "stale lock")?.[1]).toContain("deployer@ci-runner-7 (pid 4242)");
    expect(stack.lock.releases).toBe(1);
    expect(stack.lock.held).toBeNull();
  });

  it("does not take over a lock whose holder is alive", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    stack.lock.holdElsewhere({ stale: false });
    const { result } = await runOperation((h) => stack.engine.resolve({ keep: null }, h));
    expect(result.error?.kind).toBe("locked");
    expect(stack.lock.held?.pid).toBe(4242);
  });

  it("other operations never take a stale lock over: they refuse and point at resolve", async () => {
    const stack = liveBlue();
    stack.lock.holdElsewhere({ stale: true });
    const { result } = await runOperation((h) => stack.engine.deploy({ version: "v2" }, h));
    expect(result.error?.kind).toBe("locked");
    expect(stack.lock.takeOvers).toBe(0);
  });
});

describe("smoke --slot holds the lock for the whole run", () => {
  it("holds the stack lock while the checks run, then releases it", async () => {
    const stack = liveBlue();
    let heldDuringRun: string | undefined;
    const out = await smokeSlot(stack.ports, "green", new AbortController().signal, async () => {
      heldDuringRun = stack.lock.held?.command;
      return "ran";
    });
    expect(out).toBe("ran");
    expect(heldDuringRun).toBe("smoke --slot green");
    expect(stack.proxy.preview).toBe("green");
    expect(stack.lock.held).toBeNull();
  });

  it("aborts the checks when the lock is lost during them", async () => {
    const stack = liveBlue();
    const reason = await smokeSlot(stack.ports, "green", new AbortController().signal, async (signal) => {
      stack.lock.loseLock("removed");
      return signal.aborted ? String((signal.reason as Error).message) : "not aborted";
    });
    expect(reason).toMatch(/lock .*lost.*removed/);
  });

  it("refuses to run while another operation holds the lock, without pointing the preview", async () => {
    const stack = liveBlue();
    stack.lock.holdElsewhere({ stale: false });
    await expect(smokeSlot(stack.ports, "blue", new AbortController().signal, async () => "ran")).rejects.toThrow(/locked by deployer@ci-runner-7/);
    expect(stack.proxy.previewPoints).toEqual([]);
  });
});
