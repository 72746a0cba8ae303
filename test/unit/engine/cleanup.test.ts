import { describe, expect, it } from "vitest";
import { FakeStack } from "../../fakes/index.js";
import { eventsOf, phaseTrail, runOperation } from "./event-checks.js";

describe("cleanup", () => {
  it("removes only the inactive color and records its version for a later rollback", async () => {
    const stack = FakeStack.seeded({ live: "green", blue: { version: "v1", state: "stopped" }, green: { version: "v2" } });
    const greenBefore = stack.docker.byColor("green");
    const { result, events } = await runOperation((h) => stack.engine.cleanup(h));
    expect(result).toMatchObject({ outcome: "success", active: "green", from: { color: "blue", version: "v1" }, to: { color: "green", version: "v2" } });
    expect(result.message).toBe("blue removed; green (v2) is live");
    expect(phaseTrail(result)).toEqual(["preflight:ok", "confirm:ok", "cleanup:ok"]);
    expect(stack.compose.calls.map((c) => `${c.verb} ${c.project}`)).toEqual(["down shop-blue"]);
    expect(stack.stateOf("blue")).toBe("absent");
    expect(stack.docker.byColor("green")).toEqual(greenBefore);
    expect(stack.state.current).toMatchObject({ active: "green", versions: { blue: "v1", green: "v2" }, warm: false });
    expect(eventsOf(events, "confirm")[0]?.request.facts).toEqual([
      ["live (kept)", "green (v2, healthy)"],
      ["remove", "blue (v1, stopped): shop-blue_app-blue_1"],
    ]);
  });

  it("removes a warm standby and records that it is no longer warm", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v0" } });
    expect(stack.state.current?.warm).toBe(true);
    const { result } = await runOperation((h) => stack.engine.cleanup(h));
    expect(result.outcome).toBe("success");
    expect(stack.stateOf("green")).toBe("absent");
    expect(stack.state.current?.warm).toBe(false);
  });

  it("refuses with kind 'conflict' when the proxy has no known target, and removes nothing", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v0", state: "stopped" } });
    stack.proxy.unreachable = true;
    const { result } = await runOperation((h) => stack.engine.cleanup(h));
    expect(result.error?.kind).toBe("conflict");
    expect(result.message).toContain("cleanup cannot tell which color is safe to remove");
    expect(result.nextStep).toMatch(/bluegreen resolve --keep/);
    expect(stack.compose.calls).toEqual([]);
    expect(stack.stateOf("green")).toBe("stopped");
  });

  it("refuses to remove the only healthy color when the live one is not healthy", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1", state: "unhealthy" }, green: { version: "v0" } });
    const { result } = await runOperation((h) => stack.engine.cleanup(h));
    expect(result.outcome).toBe("failed");
    expect(result.error?.kind).toBe("conflict");
    expect(stack.compose.calls).toEqual([]);
    expect(stack.stateOf("green")).toBe("running");
  });

  it("is a noop when the inactive color has no containers", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    const { result, questions } = await runOperation((h) => stack.engine.cleanup(h));
    expect(result).toMatchObject({ outcome: "noop", message: "nothing to clean up: green has no containers; blue is live" });
    expect(phaseTrail(result)).toEqual(["preflight:ok", "cleanup:skipped"]);
    expect(questions).toEqual([]);
    expect(stack.compose.calls).toEqual([]);
  });

  it("removes nothing when not confirmed", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v0", state: "stopped" } });
    const { result } = await runOperation((h) => stack.engine.cleanup(h), { answer: false });
    expect(result.outcome).toBe("declined");
    expect(stack.compose.calls).toEqual([]);
    expect(stack.stateOf("green")).toBe("stopped");
  });
});
