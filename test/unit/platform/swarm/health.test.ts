import { describe, expect, it } from "vitest";
import type { ContainerInfo } from "../../../../src/docker/types.js";
import { findTask, TaskFailedError, taskHealth } from "../../../../src/platform/swarm/health.js";
import { task } from "./fixtures.js";

const info = (over: Partial<ContainerInfo>): ContainerInfo => ({
  id: "c1", name: "x", project: "p", service: "s", color: "green", version: "v2", image: "i", state: "running", health: "healthy", lastHealthOutput: null, startedAt: null, restarts: 0, exitCode: null, ...over,
});

describe("is a watched task healthy?", () => {
  it("healthy only when the task runs and its container is healthy or has no healthcheck", () => {
    expect(taskHealth(task("t", { state: "running" }), info({}))).toEqual({ state: "healthy" });
    expect(taskHealth(task("t", { state: "running" }), info({ health: "none" }))).toEqual({ state: "healthy" });
    expect(taskHealth(task("t", { state: "running" }), info({ health: "starting" })).state).toBe("waiting");
    expect(taskHealth(task("t", { state: "running" }), info({ health: "unhealthy", lastHealthOutput: "boom" }))).toEqual({ state: "waiting", detail: "health unhealthy (boom)" });
  });

  it("waits while the task is still on its way or its container was not read", () => {
    expect(taskHealth(task("t", { state: "starting" }), info({ health: "healthy" }))).toEqual({ state: "waiting", detail: "task starting" });
    expect(taskHealth(task("t", { state: "running" }), undefined).state).toBe("waiting");
  });

  it("fails on a failed or rejected task, with its reason and exit code", () => {
    expect(taskHealth(task("t", { state: "failed", exit: 1, err: "task: non-zero exit (1)" }), undefined)).toEqual({ state: "failed", reason: "its task failed (exit code 1): task: non-zero exit (1)" });
    expect(taskHealth(task("t", { state: "rejected", err: "No such image" }), undefined)).toMatchObject({ state: "failed", reason: expect.stringContaining("No such image") });
  });

  it("fails when Swarm is shutting the task down (replaced) or it is gone", () => {
    expect(taskHealth(task("t", { state: "running", desired: "shutdown" }), info({})).state).toBe("failed");
    expect(taskHealth(undefined, undefined).state).toBe("failed");
  });

  it("finds a task by its id, its container's id, or a 12-character prefix of it", () => {
    const tasks = [task("t1", { container: "abcdef0123456789" }), task("t2", { container: "0123456789abcdef" })];
    expect(findTask(tasks, "t2")?.ID).toBe("t2");
    expect(findTask(tasks, "abcdef0123456789")?.ID).toBe("t1");
    expect(findTask(tasks, "0123456789ab")?.ID).toBe("t2");
    expect(findTask(tasks, "0123")).toBeUndefined();
  });

  it("the failure says where, why, and what to run next", () => {
    const err = new TaskFailedError("app-green.1.t", "bgl-node2", "its task failed (exit code 1): boom", "line a", { manager: "unix:///m.sock", service: "s_app-green", nodeEndpoint: "unix:///n2.sock", id: "abcdef0123456789" });
    expect(err.message).toMatch(/app-green\.1\.t on node bgl-node2 did not become healthy: its task failed/);
    expect(err.message).toContain("docker -H unix:///m.sock service ps s_app-green --no-trunc");
    expect(err.message).toContain("docker -H unix:///n2.sock logs abcdef012345");
  });
});
