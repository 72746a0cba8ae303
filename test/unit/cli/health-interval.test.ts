import { afterEach, describe, expect, it, vi } from "vitest";
import { createHealthWaiter } from "../../../src/cli/wire.js";
import type { ContainerInfo, DockerPort } from "../../../src/docker/types.js";
import { FakeStack } from "../../fakes/index.js";
import { runOperation } from "../engine/event-checks.js";

function container(health: ContainerInfo["health"]): ContainerInfo {
  return { id: "c1", name: "shop-green_app-green_1", project: "shop-green", service: "app-green", color: "green", version: "v2", image: "img", state: "running", health, lastHealthOutput: null, startedAt: "", restarts: 0, exitCode: null };
}

/** Docker whose container turns healthy without any event reaching us: only a re-read sees it. */
function silentDocker(): { docker: DockerPort; becomeHealthy(): void; inspects: () => number } {
  let current = container("starting");
  let inspects = 0;
  const docker = {
    ping: async () => undefined,
    listProjectContainers: async () => [current],
    inspect: async () => {
      inspects++;
      return current;
    },
    exec: async () => ({ exitCode: 0, stdout: "", stderr: "" }),
    logs: async () => "",
    subscribe: () => ({ close: () => undefined }),
  } as unknown as DockerPort;
  return { docker, becomeHealthy: () => (current = container("healthy")), inspects: () => inspects };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("health.interval drives the health wait", () => {
  it("the deploy's health gate is asked to re-read at the configured health.interval", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } }, { health: { timeoutMs: 30_000, intervalMs: 250, path: null } });
    await runOperation((h) => stack.engine.deploy({ version: "v2" }, h));
    expect(stack.health.waits.map((w) => w.intervalMs)).toEqual([250]);
  });

  it("the real waiter re-reads the containers every health.interval, not every 2 s", async () => {
    vi.useFakeTimers();
    const { docker, becomeHealthy, inspects } = silentDocker();
    let done = false;
    const wait = createHealthWaiter(docker)
      .waitHealthy(["c1"], { timeoutMs: 60_000, intervalMs: 300 })
      .then(() => (done = true));
    await vi.advanceTimersByTimeAsync(10);
    becomeHealthy();
    await vi.advanceTimersByTimeAsync(350);
    expect(done).toBe(true);
    expect(inspects()).toBe(2);
    await wait;
  });

  it("a longer health.interval re-reads less often", async () => {
    vi.useFakeTimers();
    const { docker, becomeHealthy } = silentDocker();
    let done = false;
    void createHealthWaiter(docker)
      .waitHealthy(["c1"], { timeoutMs: 60_000, intervalMs: 5_000 })
      .then(() => (done = true));
    await vi.advanceTimersByTimeAsync(10);
    becomeHealthy();
    await vi.advanceTimersByTimeAsync(2_500);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(2_600);
    expect(done).toBe(true);
  });
});
