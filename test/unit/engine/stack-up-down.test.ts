import { describe, expect, it } from "vitest";
import { FakeStack } from "../../fakes/index.js";
import { phaseTrail, runOperation } from "./event-checks.js";

describe("bluegreen up", () => {
  it("on a fresh stack starts the shared services and blue, and points the proxy at it", async () => {
    const stack = new FakeStack();
    const { result } = await runOperation((h) => stack.engine.up({ version: "v1" }, h), {});
    expect(result.outcome).toBe("success");
    expect(stack.compose.calls.map((c) => `${c.verb} ${c.project}`)).toEqual(["up shop", "up shop-blue"]);
    expect(stack.compose.calls[1]?.env.BLUEGREEN_VERSION).toBe("v1");
    expect(stack.proxy.live).toBe("blue");
    expect(stack.state.current).toMatchObject({ active: "blue", versions: { blue: "v1" } });
    expect((await stack.engine.status()).conflicts).toEqual([]);
  });

  it("after down, starts the recorded live color at its version and opens with no conflict, although the proxy came back routing to blue", async () => {
    const stack = FakeStack.seeded({ live: "green", blue: { version: "v1", state: "stopped" }, green: { version: "v2" } });
    const down = await runOperation((h) => stack.engine.down({ volumes: false }, h), {});
    expect(down.result.outcome).toBe("success");
    expect(stack.stateOf("blue")).toBe("absent");
    expect(stack.stateOf("green")).toBe("absent");
    expect(stack.docker.byProject("shop")).toEqual([]);
    expect(stack.state.current).toMatchObject({ active: "green", versions: { blue: "v1", green: "v2" }, warm: false });
    expect((await stack.engine.status()).conflicts).toEqual([]);
    expect(stack.history.entries.map((e) => e.operation)).toEqual(["down"]);

    stack.proxy.live = "blue"; // its saved routing was lost with the run dir
    stack.compose.calls.length = 0;
    const { result } = await runOperation((h) => stack.engine.up({ version: null }, h), {});
    expect(result.outcome).toBe("success");
    expect(result.message).toContain("green (v2) serves live traffic");
    expect(stack.compose.calls.map((c) => `${c.verb} ${c.project} ${c.env.BLUEGREEN_VERSION ?? ""}`.trim())).toEqual(["up shop", "up shop-green v2"]);
    expect(stack.proxy.live).toBe("green");
    expect((await stack.engine.status()).conflicts).toEqual([]);
    expect(stack.history.entries.map((e) => e.operation)).toEqual(["down", "up"]);
  });

  it("is a no-op for colors when the live color already runs healthy", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    const { result } = await runOperation((h) => stack.engine.up({ version: null }, h), {});
    expect(result.outcome).toBe("success");
    expect(phaseTrail(result)).toEqual(["preflight:ok", "shared:ok", "start:skipped", "health:skipped", "switch:ok"]);
    expect(stack.compose.calls.map((c) => `${c.verb} ${c.project}`)).toEqual(["up shop"]);
  });

  it("down needs a confirmation and changes nothing without it", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    const { result } = await runOperation((h) => stack.engine.down({ volumes: false }, h), { answer: false });
    expect(result.outcome).toBe("declined");
    expect(stack.compose.calls).toEqual([]);
    expect(stack.stateOf("blue")).toBe("running");
  });
});

describe("bluegreen shared restart|reload", () => {
  it("restarting the proxy re-asserts the saved live and preview targets and reads them back", async () => {
    const stack = FakeStack.seeded({ live: "green", blue: { version: "v1" }, green: { version: "v2" } });
    stack.proxy.preview = "blue";
    // The recreated proxy comes back with its baked defaults (live blue, preview green).
    const up = stack.compose.up.bind(stack.compose);
    stack.compose.up = async (target, opts, onLine) => {
      await up(target, opts, onLine);
      stack.proxy.live = "blue";
      stack.proxy.preview = "green";
    };
    const { result, events } = await runOperation((h) => stack.engine.shared({ service: "proxy", mode: "restart" }, h), {});
    expect(result.outcome).toBe("success");
    expect(stack.compose.calls[0]).toMatchObject({ verb: "up", project: "shop", opts: { recreate: true, build: true } });
    expect(stack.proxy.live).toBe("green");
    expect(stack.proxy.preview).toBe("blue");
    expect(result.message).toContain("routes live to green and preview to blue, as before");
    expect(events.some((e) => e.type === "log" && e.message.includes("re-asserting green"))).toBe(true);
  });

  it("reloading the proxy reloads in place and reads the routing back", async () => {
    const stack = FakeStack.seeded({ live: "green", blue: { version: "v1" }, green: { version: "v2" } });
    const { result } = await runOperation((h) => stack.engine.shared({ service: "proxy", mode: "reload" }, h), {});
    expect(result.outcome).toBe("success");
    expect(stack.proxy.reloads).toBe(1);
    expect(stack.compose.calls).toEqual([]);
    expect(stack.proxy.live).toBe("green");
  });

  it("refuses an unknown service, naming the ones there are", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    const { result } = await runOperation((h) => stack.engine.shared({ service: "postgres", mode: "restart" }, h), {});
    expect(result.outcome).toBe("failed");
    expect(result.error?.message).toContain('has no running or stopped service "postgres" (it has: proxy, redis)');
  });
});
