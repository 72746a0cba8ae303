import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerPort } from "../../src/docker/dockerode-port.js";
import { ContainerDiedError, ContainerNotFoundError, DockerUnavailableError, HealthTimeoutError } from "../../src/docker/errors.js";
import type { DockerEvent, EventStreamStatus } from "../../src/docker/types.js";
import { waitForHealthy } from "../../src/docker/wait-healthy.js";
import { createTestContainer, docker, ensureTinyImage, FILE_HEALTH, removeTestResources, removeTinyImage, until } from "./docker-fixtures.js";

const PROJECT = "bgt-h6-port";
const port = createDockerPort();

beforeAll(async () => {
  await removeTestResources();
  await ensureTinyImage();
});

afterAll(async () => {
  await removeTestResources();
  await removeTinyImage();
});

describe("DockerPort (dockerode) against the real daemon", () => {
  it("pings the daemon, and explains what to do when the socket is not there", async () => {
    await expect(port.ping()).resolves.toBeUndefined();
    const missing = createDockerPort({ socketPath: "/tmp/bgt-h6-no-such.sock" });
    const err = await missing.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerUnavailableError);
    expect((err as Error).message).toMatch(/Docker is not reachable at unix:\/\/\/tmp\/bgt-h6-no-such\.sock .*ENOENT/);
    expect((err as Error).message).toContain("bash scripts/ensure-docker.sh");
    expect((err as Error).message).toContain("DOCKER_HOST");
    await expect(missing.listProjectContainers(PROJECT)).rejects.toBeInstanceOf(DockerUnavailableError);
  });

  it("lists a project's containers in every state with color, version and health", async () => {
    await createTestContainer({ name: "bgt-h6-list-app", project: PROJECT, color: "green", version: "v7", health: "echo fine" });
    await createTestContainer({ name: "bgt-h6-list-shared", project: PROJECT, service: "redis", env: ["APP_VERSION=v3"], start: false });
    await createTestContainer({ name: "bgt-h6-list-other", project: "bgt-h6-elsewhere", color: "blue" });
    await until(async () => (await port.inspect("bgt-h6-list-app"))?.health === "healthy", 10_000, "bgt-h6-list-app healthy");

    const list = await port.listProjectContainers(PROJECT);
    expect(list.map((c) => c.name)).toEqual(["bgt-h6-list-app", "bgt-h6-list-shared"]);
    expect(list[0]).toMatchObject({
      project: PROJECT,
      service: "app",
      color: "green",
      version: "v7",
      image: "bgt-h6/tiny:local",
      state: "running",
      health: "healthy",
      lastHealthOutput: null,
      restarts: 0,
      exitCode: null,
    });
    expect(list[0]?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(list[1]).toMatchObject({ service: "redis", color: null, version: "v3", state: "created", health: "none", startedAt: null });
    expect(await port.inspect("bgt-h6-no-such-container")).toBeNull();
  });

  it("reports the failing health check's output", async () => {
    await createTestContainer({ name: "bgt-h6-sick", project: PROJECT, health: FILE_HEALTH });
    await until(async () => (await port.inspect("bgt-h6-sick"))?.lastHealthOutput !== null, 10_000, "a failed health check");
    expect((await port.inspect("bgt-h6-sick"))?.lastHealthOutput).toBe("not ready yet: /tmp/healthy missing");
  });

  it("runs argv without a shell, returning stdout, stderr and the exit code", async () => {
    await createTestContainer({ name: "bgt-h6-exec", project: PROJECT });
    const ok = await port.exec("bgt-h6-exec", ["/bin/dash", "-c", 'echo "out $0"; echo err >&2', "a b; $(rm -rf /)"]);
    expect(ok).toEqual({ exitCode: 0, stdout: "out a b; $(rm -rf /)\n", stderr: "err\n" });
    const failed = await port.exec("bgt-h6-exec", ["/bin/dash", "-c", "exit 3"]);
    expect(failed.exitCode).toBe(3);
    const big = await port.exec("bgt-h6-exec", ["/bin/dash", "-c", 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done']);
    expect(big.stdout.split("\n")).toHaveLength(2001);
    await expect(port.exec("bgt-h6-no-such-container", ["true"])).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  it("returns the last lines of both log streams as text", async () => {
    // Docker copies stdout and stderr through separate pipes, so only lines written apart in time
    // have a defined order in the log.
    await createTestContainer({
      name: "bgt-h6-logs",
      project: PROJECT,
      script: "i=1; while [ $i -le 30 ]; do echo out $i; i=$((i+1)); done; sleep 0.3; echo err last >&2; sleep 30",
    });
    await until(async () => (await port.logs("bgt-h6-logs", 1)).includes("err last"), 10_000, "log lines");
    const tail = (await port.logs("bgt-h6-logs", 3)).trimEnd().split("\n");
    expect(tail).toEqual(["out 29", "out 30", "err last"]);
    expect((await port.logs("bgt-h6-logs", 100)).trimEnd().split("\n")).toHaveLength(31);
    await expect(port.logs("bgt-h6-no-such-container", 5)).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  it("delivers start, health_status and die events of the subscribed project within a second", async () => {
    const project = "bgt-h6-events";
    const events: { event: DockerEvent; receivedAt: number }[] = [];
    const statuses: EventStreamStatus[] = [];
    const sub = port.subscribe([project], (event) => events.push({ event, receivedAt: Date.now() }), (s) => statuses.push(s));
    try {
      await until(async () => statuses.some((s) => s.state === "connected"), 5_000, "connected");
      const c = await createTestContainer({ name: "bgt-h6-ev", project, color: "blue", health: "echo ok", start: false });
      await createTestContainer({ name: "bgt-h6-ev-other", project: "bgt-h6-not-subscribed" });
      const startedAt = Date.now();
      await c.start();
      await until(async () => events.some((e) => e.event.action === "health_status: healthy"), 5_000, "health event");
      const stopAt = Date.now();
      await c.kill();
      await until(async () => events.some((e) => e.event.action === "die"), 5_000, "die event");

      const byAction = (a: string) => events.find((e) => e.event.action === a);
      const start = byAction("start");
      const die = byAction("die");
      expect(start?.event).toMatchObject({ name: "bgt-h6-ev", project, service: "app", color: "blue" });
      // "Within a second" is measured from the daemon's own event time; start()/kill() themselves
      // take a variable time on a loaded machine (runc), so those figures are only printed.
      expect(die).toBeDefined();
      expect(events.every((e) => e.event.project === project && !e.event.action.startsWith("exec_"))).toBe(true);
      const lags = events.map((e) => e.receivedAt - e.event.time);
      console.log(`[figures] event delivery lag (receive − daemon time) ms: ${lags.join(", ")}; start ${(start?.receivedAt ?? 0) - startedAt} ms after start(); die ${(die?.receivedAt ?? 0) - stopAt} ms after kill()`);
      expect(Math.max(...lags)).toBeLessThan(1_000);
    } finally {
      sub.close();
    }
  });
});

describe("waitForHealthy against the real daemon", () => {
  const project = "bgt-h6-wait";

  it("resolves right after the container turns healthy", async () => {
    const c = await createTestContainer({ name: "bgt-h6-wait-ok", project, health: FILE_HEALTH });
    const wait = waitForHealthy(port, ["bgt-h6-wait-ok"], { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500));
    await port.exec(c.id, ["/bin/dash", "-c", ": > /tmp/healthy"]);
    const { healthy } = await wait;
    const resolvedAt = Date.now();
    expect(healthy).toMatchObject([{ name: "bgt-h6-wait-ok", health: "healthy", state: "running" }]);
    const data = await c.inspect();
    const firstPass = data.State.Health?.Log.find((l) => l.ExitCode === 0);
    const checkEnded = Date.parse(firstPass?.End ?? "");
    console.log(`[figures] waitForHealthy resolved ${resolvedAt - checkEnded} ms after the first passing health check ended`);
    expect(resolvedAt - checkEnded).toBeLessThan(1_000);
  });

  it("counts a running container without a health check as healthy", async () => {
    await createTestContainer({ name: "bgt-h6-wait-nohc", project });
    await expect(waitForHealthy(port, ["bgt-h6-wait-nohc"], { timeoutMs: 5_000 })).resolves.toMatchObject({ healthy: [{ health: "none" }] });
  });

  it("rejects as soon as a watched container dies, with its exit code and logs", async () => {
    const c = await createTestContainer({ name: "bgt-h6-wait-die", project, health: FILE_HEALTH });
    const wait = waitForHealthy(port, ["bgt-h6-wait-die"], { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 300));
    const crashAt = Date.now();
    await port.exec(c.id, ["/bin/dash", "-c", ": > /tmp/die"]);
    const execDoneAt = Date.now();
    const err = await wait.catch((e: unknown) => e);
    const rejectedAt = Date.now();
    const finishedAt = Date.parse((await c.inspect()).State.FinishedAt);
    console.log(
      `[figures] waitForHealthy rejected ${rejectedAt - finishedAt} ms after the container exited ` +
        `(${rejectedAt - crashAt} ms after the crash was asked for; the exec took ${execDoneAt - crashAt} ms)`,
    );
    expect(rejectedAt - finishedAt).toBeLessThan(1_000);
    expect(err).toBeInstanceOf(ContainerDiedError);
    expect(err).toMatchObject({ container: "bgt-h6-wait-die", exitCode: 4, state: "exited" });
    expect((err as Error).message).toContain("started");
  });

  it("times out with the last health check output and log lines", async () => {
    await createTestContainer({ name: "bgt-h6-wait-slow", project, health: FILE_HEALTH });
    const started = Date.now();
    const err = await waitForHealthy(port, ["bgt-h6-wait-slow"], { timeoutMs: 1_500 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(HealthTimeoutError);
    const pending = (err as HealthTimeoutError).pending[0];
    expect(pending).toMatchObject({ name: "bgt-h6-wait-slow", state: "running", lastHealthOutput: "not ready yet: /tmp/healthy missing" });
    expect(pending?.logTail).toContain("started");
    expect(pending?.logTail).toContain("warming up");
    expect((err as Error).message).toContain("not ready yet");
    // The container is left as it was.
    expect((await port.inspect("bgt-h6-wait-slow"))?.state).toBe("running");
  });

  it("stops when aborted", async () => {
    await createTestContainer({ name: "bgt-h6-wait-abort", project, health: FILE_HEALTH });
    const controller = new AbortController();
    const wait = waitForHealthy(port, ["bgt-h6-wait-abort"], { timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(wait).rejects.toMatchObject({ name: "AbortError" });
  });
});

// Keep a reference so the module's client is used (and closed with the process).
void docker;
