import { describe, expect, it } from "vitest";
import { FakeStack } from "../../fakes/index.js";
import { runOperation } from "./event-checks.js";

/** green v2 is live with blue v1 kept warm; then the proxy container dies or crash-loops. */
function warmStackWithProxy(state: "restarting" | "exited"): FakeStack {
  const stack = FakeStack.seeded({ live: "green", blue: { version: "v1" }, green: { version: "v2" } });
  const proxy = stack.docker.byProject("shop").find((c) => c.service === "proxy");
  if (!proxy) throw new Error("no proxy");
  stack.docker.update(proxy.id, state === "restarting" ? { state: "restarting", restarts: 7, exitCode: null } : { state: "exited", exitCode: 137 }, "die");
  return stack;
}

describe("a dead or restarting proxy", () => {
  it("is its own finding advising `bluegreen up`, never both-running with a recommendation to remove the warm standby", async () => {
    const stack = warmStackWithProxy("restarting");
    const status = await stack.engine.status();
    expect(status.conflicts.map((c) => c.kind)).toEqual(["proxy-down"]);
    const [finding] = status.conflicts;
    expect(finding?.recommend).toBeNull();
    expect(finding?.message).toContain("the proxy container (service proxy) is restarting (7 restarts)");
    expect(finding?.message).toContain("live traffic is not being served");
    expect(finding?.why).toContain("`bluegreen up`");
    expect(finding?.why).not.toContain("resolve");
  });

  it("says an exited proxy exited, with its exit code", async () => {
    const status = await warmStackWithProxy("exited").engine.status();
    expect(status.conflicts.map((c) => c.kind)).toEqual(["proxy-down"]);
    expect(status.conflicts[0]?.message).toContain("is exited (exit code 137)");
  });

  it("makes resolve refuse and point at `bluegreen up` instead of stopping a color", async () => {
    const stack = warmStackWithProxy("restarting");
    const { result } = await runOperation((h) => stack.engine.resolve({ keep: null }, h), { answer: true });
    expect(result.outcome).toBe("failed");
    expect(result.nextStep).toContain("bluegreen up");
    expect(stack.stateOf("blue")).toBe("running");
    expect(stack.stateOf("green")).toBe("running");
  });

  it("is no finding at all for a stack that is simply down", async () => {
    const stack = FakeStack.seeded({ proxy: "stopped", live: "blue", blue: { version: "v1", state: "stopped" } });
    expect((await stack.engine.status()).conflicts).toEqual([]);
  });
});
