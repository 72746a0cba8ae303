import { describe, expect, it } from "vitest";
import { ContainerDiedError, ContainerNotFoundError, HealthTimeoutError, WaitAbortedError } from "../../../src/docker/errors.js";
import type { ContainerInfo, DockerEvent, DockerPort, EventStreamStatus } from "../../../src/docker/types.js";
import { waitForHealthy } from "../../../src/docker/wait-healthy.js";

function info(over: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id: "id-1",
    name: "bgt-h6-app",
    project: "bgt-h6-proj",
    service: "app",
    color: "green",
    version: "v2",
    image: "img",
    state: "running",
    health: "starting",
    lastHealthOutput: null,
    startedAt: "2026-11-23T07:00:00Z",
    restarts: 0,
    exitCode: null,
    ...over,
  };
}

/** A DockerPort whose containers and event stream the test drives. */
function fakePort(initial: ContainerInfo[]) {
  const containers = new Map(initial.map((c) => [c.id, c]));
  const listeners = new Set<(e: DockerEvent) => void>();
  let openSubscriptions = 0;
  const port: DockerPort = {
    ping: async () => undefined,
    listProjectContainers: async (project) => [...containers.values()].filter((c) => c.project === project),
    listProjectsContainers: async (projects) => [...containers.values()].filter((c) => projects.includes(c.project)),
    kill: async () => undefined,
    inspect: async (id) => containers.get(id) ?? [...containers.values()].find((c) => c.name === id) ?? null,
    exec: async () => ({ exitCode: 0, stdout: "", stderr: "" }),
    logs: async (id) => `log of ${id}\nlast line`,
    subscribe(_projects, onEvent, onStatus?: (s: EventStreamStatus) => void) {
      listeners.add(onEvent);
      openSubscriptions++;
      setImmediate(() => onStatus?.({ state: "connected" }));
      return {
        close() {
          if (listeners.delete(onEvent)) openSubscriptions--;
        },
      };
    },
  };
  return {
    port,
    set(id: string, over: Partial<ContainerInfo>, emit?: string) {
      const c = containers.get(id);
      if (!c) throw new Error(`no ${id}`);
      containers.set(id, { ...c, ...over });
      if (emit) for (const l of listeners) l({ time: Date.now(), action: emit, containerId: id, name: c.name, project: c.project, service: c.service, color: c.color });
    },
    remove: (id: string) => containers.delete(id),
    openSubscriptions: () => openSubscriptions,
  };
}

const later = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("waitForHealthy", () => {
  it("resolves when a health_status event says healthy, and closes its subscription", async () => {
    const fake = fakePort([info()]);
    const wait = waitForHealthy(fake.port, ["id-1"], { timeoutMs: 5_000, intervalMs: 60_000 });
    await later(20);
    const turnedHealthy = Date.now();
    fake.set("id-1", { health: "healthy" }, "health_status: healthy");
    const { healthy } = await wait;
    expect(Date.now() - turnedHealthy).toBeLessThan(100);
    expect(healthy.map((c) => c.health)).toEqual(["healthy"]);
    expect(fake.openSubscriptions()).toBe(0);
  });

  it("reports each change of state or health once", async () => {
    const fake = fakePort([info()]);
    const seen: string[] = [];
    const wait = waitForHealthy(fake.port, ["id-1"], { timeoutMs: 5_000, intervalMs: 20, onHealth: (c) => seen.push(`${c.state}/${c.health}`) });
    await later(60);
    fake.set("id-1", { health: "unhealthy", lastHealthOutput: "nope" }, "health_status: unhealthy");
    await later(60);
    fake.set("id-1", { health: "healthy", lastHealthOutput: null }, "health_status: healthy");
    await wait;
    expect(seen).toEqual(["running/starting", "running/unhealthy", "running/healthy"]);
  });

  it("counts a running container without a health check as healthy at once", async () => {
    const fake = fakePort([info({ health: "none" })]);
    await expect(waitForHealthy(fake.port, ["bgt-h6-app"], { timeoutMs: 1_000 })).resolves.toMatchObject({ healthy: [{ id: "id-1" }] });
    expect(fake.openSubscriptions()).toBe(0);
  });

  it("waits for every container", async () => {
    const fake = fakePort([info(), info({ id: "id-2", name: "bgt-h6-other" })]);
    const wait = waitForHealthy(fake.port, ["id-1", "id-2"], { timeoutMs: 5_000, intervalMs: 60_000 });
    let done = false;
    void wait.then(() => (done = true));
    await later(20);
    fake.set("id-1", { health: "healthy" }, "health_status: healthy");
    await later(20);
    expect(done).toBe(false);
    fake.set("id-2", { health: "healthy" }, "health_status: healthy");
    await expect(wait).resolves.toMatchObject({ healthy: [{ id: "id-1" }, { id: "id-2" }] });
  });

  it("finds a change whose event was missed with the safety re-inspect", async () => {
    const fake = fakePort([info()]);
    const wait = waitForHealthy(fake.port, ["id-1"], { timeoutMs: 5_000, intervalMs: 50 });
    await later(20);
    fake.set("id-1", { health: "healthy" });
    await expect(wait).resolves.toMatchObject({ healthy: [{ health: "healthy" }] });
  });

  it("rejects at once when a watched container dies, with its exit code and logs", async () => {
    const fake = fakePort([info()]);
    const wait = waitForHealthy(fake.port, ["id-1"], { timeoutMs: 60_000, intervalMs: 60_000 });
    await later(20);
    const started = Date.now();
    fake.set("id-1", { state: "exited", exitCode: 3 }, "die");
    const err = await wait.catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(200);
    expect(err).toBeInstanceOf(ContainerDiedError);
    expect(err).toMatchObject({ container: "bgt-h6-app", exitCode: 3, state: "exited" });
    expect((err as Error).message).toContain("last line");
    expect(fake.openSubscriptions()).toBe(0);
  });

  it("rejects on a die event even when a restart policy already restarted the container", async () => {
    const fake = fakePort([info()]);
    const wait = waitForHealthy(fake.port, ["id-1"], { timeoutMs: 60_000, intervalMs: 60_000 });
    await later(20);
    fake.set("id-1", { restarts: 1 }, "die");
    await expect(wait).rejects.toMatchObject({ name: "ContainerDiedError", state: "restarting" });
  });

  it("rejects for a container that is already gone or exited", async () => {
    const fake = fakePort([info({ state: "exited", exitCode: 1 })]);
    await expect(waitForHealthy(fake.port, ["id-1"], { timeoutMs: 1_000 })).rejects.toBeInstanceOf(ContainerDiedError);
    await expect(waitForHealthy(fake.port, ["nope"], { timeoutMs: 1_000 })).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  it("times out with the container, its last health output and log lines", async () => {
    const fake = fakePort([info({ health: "unhealthy", lastHealthOutput: "redis: disconnected" })]);
    const err = await waitForHealthy(fake.port, ["id-1"], { timeoutMs: 200, intervalMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HealthTimeoutError);
    expect((err as HealthTimeoutError).pending).toEqual([
      { name: "bgt-h6-app", state: "running", health: "unhealthy", lastHealthOutput: "redis: disconnected", logTail: "log of id-1\nlast line" },
    ]);
    expect((err as Error).message).toMatch(/Timed out after 0\.2s waiting for bgt-h6-app[^]*last health check output: redis: disconnected/);
    expect(fake.openSubscriptions()).toBe(0);
  });

  it("stops waiting when the signal aborts", async () => {
    const fake = fakePort([info()]);
    const controller = new AbortController();
    const wait = waitForHealthy(fake.port, ["id-1"], { timeoutMs: 60_000, signal: controller.signal });
    await later(10);
    controller.abort();
    await expect(wait).rejects.toBeInstanceOf(WaitAbortedError);
    expect(fake.openSubscriptions()).toBe(0);
    await expect(waitForHealthy(fake.port, ["id-1"], { timeoutMs: 1_000, signal: controller.signal })).rejects.toBeInstanceOf(WaitAbortedError);
  });
});
