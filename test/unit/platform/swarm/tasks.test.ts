import { describe, expect, it } from "vitest";
import type { ContainerInfo } from "../../../../src/docker/types.js";
import { currentTasks, imageName, scaledDownEntry, shortServiceName, taskContainerName, taskContainerState, taskToContainerInfo } from "../../../../src/platform/swarm/tasks.js";
import { NS, service, task } from "./fixtures.js";

const container: ContainerInfo = {
  id: "c1",
  name: `${NS}_app-green.1.t1`,
  project: "",
  service: "",
  color: "green",
  version: "v2",
  image: "bluegreen-demo/app:v2",
  state: "running",
  health: "healthy",
  lastHealthOutput: null,
  startedAt: "2026-12-03T11:00:01Z",
  restarts: 0,
  exitCode: null,
};

describe("task states in Docker's container words", () => {
  it("maps the states before running to created, the ends to exited/dead/removing", () => {
    expect(["new", "pending", "assigned", "preparing", "ready", "starting"].map((s) => taskContainerState(s as never))).toEqual(Array(6).fill("created"));
    expect(taskContainerState("running")).toBe("running");
    expect(["complete", "shutdown", "failed"].map((s) => taskContainerState(s as never))).toEqual(["exited", "exited", "exited"]);
    expect(taskContainerState("rejected")).toBe("dead");
    expect(taskContainerState("remove")).toBe("removing");
  });
});

describe("names", () => {
  it("strips the stack's prefix from a service name, and only that", () => {
    expect(shortServiceName(`${NS}_app-green`, NS)).toBe("app-green");
    expect(shortServiceName("other_app-green", NS)).toBe("other_app-green");
  });
  it("names a task's container as Swarm does: slot for replicated, node for global", () => {
    expect(taskContainerName(task("t1", { slot: 2 }), "s")).toBe("s.2.t1");
    expect(taskContainerName(task("t1", { node: "n9" }), "s")).toBe("s.n9.t1");
  });
  it("drops the digest stack deploy pins", () => {
    expect(imageName("app:v2@sha256:abc123")).toBe("app:v2");
    expect(imageName("app:v2")).toBe("app:v2");
  });
});

describe("current tasks: the slot's present, not its history", () => {
  it("keeps what Swarm wants running and drops the replaced history", () => {
    const tasks = [
      task("old1", { slot: 1, desired: "shutdown", state: "shutdown", at: "2026-12-03T10:00:00Z" }),
      task("new1", { slot: 1 }),
      task("new2", { slot: 2 }),
      task("old2", { slot: 2, desired: "shutdown", state: "failed", at: "2026-12-03T10:00:00Z" }),
    ];
    expect(currentTasks(tasks).map((t) => t.ID)).toEqual(["new1", "new2"]);
  });

  it("during a rolling update keeps an old task that still runs next to the new one being readied", () => {
    const tasks = [task("old", { slot: 1, desired: "shutdown", state: "running" }), task("new", { slot: 1, desired: "ready", state: "ready", at: "2026-12-03T11:00:05Z" })];
    expect(currentTasks(tasks).map((t) => t.ID).sort()).toEqual(["new", "old"]);
  });

  it("for a slot with nothing running shows its latest task, so status can say why", () => {
    const tasks = [
      task("a", { slot: 1, desired: "shutdown", state: "failed", at: "2026-12-03T10:00:00Z" }),
      task("b", { slot: 1, desired: "shutdown", state: "rejected", at: "2026-12-03T10:05:00Z", err: "No such image" }),
    ];
    expect(currentTasks(tasks).map((t) => t.ID)).toEqual(["b"]);
  });

  it("keeps nothing of a slot being removed (scaled down) once its task stopped", () => {
    expect(currentTasks([task("a", { slot: 3, desired: "remove", state: "shutdown" })])).toEqual([]);
  });

  it("groups a global service's tasks by node", () => {
    const tasks = [task("n1", { node: "A" }), task("n2", { node: "B" }), task("n1old", { node: "A", desired: "shutdown", state: "shutdown", at: "2026-12-03T09:00:00Z" })];
    expect(currentTasks(tasks).map((t) => t.ID).sort()).toEqual(["n1", "n2"]);
  });
});

describe("a task as a ContainerInfo", () => {
  it("takes state and health from the inspected container, project/service from the stack, the node's name", () => {
    const info = taskToContainerInfo({ task: task("t1", { slot: 1, container: "c1" }), service: service(), namespace: NS, node: "bgl-node2", container });
    expect(info).toMatchObject({ id: "c1", project: NS, service: "app-green", color: "green", version: "v2", state: "running", health: "healthy", node: "bgl-node2", image: "bluegreen-demo/app:v2" });
  });

  it("without the container (its node did not answer) is running with health not known, never healthy, and says why", () => {
    const info = taskToContainerInfo({ task: task("t1", { slot: 1, container: "c1" }), service: service(), namespace: NS, node: "bgl-node3", container: null, containerError: "node bgl-node3's engine did not answer" });
    expect(info).toMatchObject({ id: "c1", name: `${NS}_app-green.1.t1`, state: "running", health: "starting", color: "green", version: "v2" });
    expect(info.lastHealthOutput).toContain("bgl-node3's engine did not answer");
  });

  it("a rejected task without a container: its id, dead, and the task's error as the reason", () => {
    const t = task("t9", { slot: 2, state: "rejected", desired: "shutdown", err: "No such image: app:v9" });
    t.Status.ContainerStatus = {};
    const info = taskToContainerInfo({ task: t, service: service(), namespace: NS, node: undefined, container: null });
    expect(info).toMatchObject({ id: "t9", state: "dead", health: "none", lastHealthOutput: "task: No such image: app:v9" });
    expect(info.node).toBeUndefined();
  });

  it("a failed task keeps its exit code", () => {
    const info = taskToContainerInfo({ task: task("t2", { slot: 1, state: "failed", desired: "shutdown", exit: 137 }), service: service(), namespace: NS, node: "n", container: null });
    expect(info).toMatchObject({ state: "exited", exitCode: 137 });
  });
});

describe("a stopped service", () => {
  it("reads as one exited entry of the service, with its version, so the color is stopped rather than absent", () => {
    expect(scaledDownEntry(service({ replicas: 0 }), NS)).toMatchObject({ id: "service:svc1", service: "app-green", project: NS, state: "exited", color: "green", version: "v2", exitCode: null });
  });
});
