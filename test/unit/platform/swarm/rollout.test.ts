import { describe, expect, it } from "vitest";
import { rolloutVerdict, updateStatusKey, type RolloutInput } from "../../../../src/platform/swarm/rollout.js";
import { service, task } from "./fixtures.js";

const base = (over: Partial<RolloutInput>): RolloutInput => ({
  services: [service({ replicas: 2 })],
  tasks: [],
  upToDate: new Set(),
  before: new Set(),
  updateBefore: new Map(),
  nodeNames: new Map([["node-a", "bgl-node1"], ["node-c", "bgl-node3"]]),
  ...over,
});

describe("has a stack deploy taken effect?", () => {
  describe("with a node the manager lost", () => {
    const lost = new Map([["node-c", "down"]]);

    it("ends the wait at once when the update waits on a task of the lost node (it never reports stopping)", () => {
      // What the lab showed: a stop-first update parked on the old task of the node whose engine stopped.
      const s = service({ replicas: 2, UpdateStatus: { State: "updating", Message: "update in progress" } });
      const tasks = [task("n1", { slot: 1 }), task("old2", { slot: 2, node: "node-c", desired: "shutdown", state: "running" })];
      const v = rolloutVerdict(base({ services: [s], tasks, upToDate: new Set(["n1"]), nodesNotReady: lost }));
      expect(v).toEqual({ state: "node-lost", nodes: ["bgl-node3"], reason: expect.stringMatching(/update in progress.*waits on .*app-green\.2\.old2 on bgl-node3 \(running, node down\)/) });
      // The same tasks with every node ready: an update in progress, waited on.
      expect(rolloutVerdict(base({ services: [s], tasks, upToDate: new Set(["n1"]) })).state).toBe("waiting");
    });

    it("ends the wait when a wanted task of the new spec sits on the lost node", () => {
      const tasks = [task("n1", { slot: 1 }), task("n2", { slot: 2, node: "node-c", state: "assigned" })];
      expect(rolloutVerdict(base({ tasks, upToDate: new Set(["n1", "n2"]), nodesNotReady: lost }))).toMatchObject({ state: "node-lost", nodes: ["bgl-node3"] });
    });

    it("is done when the new spec runs on the other nodes: a stopping task left on the lost node is not waited on", () => {
      const tasks = [task("n1", { slot: 1 }), task("n2", { slot: 2 }), task("old2", { slot: 2, node: "node-c", desired: "shutdown", state: "running" })];
      expect(rolloutVerdict(base({ tasks, upToDate: new Set(["n1", "n2"]), nodesNotReady: lost }))).toEqual({ state: "done" });
      // On a ready node the same task is waited on until it stopped.
      expect(rolloutVerdict(base({ tasks, upToDate: new Set(["n1", "n2"]) })).state).toBe("waiting");
    });
  });

  it("done when every replica has a task of the new spec with a container", () => {
    const tasks = [task("n1", { slot: 1, state: "running" }), task("n2", { slot: 2, state: "starting" })];
    expect(rolloutVerdict(base({ tasks, upToDate: new Set(["n1", "n2"]) }))).toEqual({ state: "done" });
  });

  it("waits while a replica of the new spec is still on its way", () => {
    const tasks = [task("n1", { slot: 1, state: "running" }), task("n2", { slot: 2, state: "preparing" })];
    const v = rolloutVerdict(base({ tasks, upToDate: new Set(["n1", "n2"]) }));
    expect(v.state).toBe("waiting");
    expect(v.state === "waiting" && v.pending[0]).toMatch(/1\/2 tasks created; .*app-green\.2\.n2 on bgl-node1 preparing/);
  });

  it("waits while old-spec tasks are still wanted (the old release still runs there)", () => {
    const tasks = [task("old1", { slot: 1 }), task("old2", { slot: 2 }), task("n1", { slot: 1, desired: "ready", state: "ready" })];
    expect(rolloutVerdict(base({ tasks, upToDate: new Set(["n1"]) })).state).toBe("waiting");
  });

  it("waits until old-spec tasks being shut down have stopped (a start-first update stops them last)", () => {
    const tasks = [task("n1", { slot: 1 }), task("n2", { slot: 2 }), task("old2", { slot: 2, desired: "shutdown", state: "running" }), task("gone", { slot: 1, desired: "shutdown", state: "shutdown" })];
    const v = rolloutVerdict(base({ tasks, upToDate: new Set(["n1", "n2"]) }));
    expect(v).toEqual({ state: "waiting", pending: [expect.stringContaining("1 task(s) of the old spec still stopping")] });
    tasks[2] = task("old2", { slot: 2, desired: "shutdown", state: "shutdown" });
    expect(rolloutVerdict(base({ tasks, upToDate: new Set(["n1", "n2"]) }))).toEqual({ state: "done" });
  });

  it("waits while the update is in progress, even when counts look complete", () => {
    const s = service({ replicas: 1, UpdateStatus: { State: "updating", Message: "update in progress" } });
    const v = rolloutVerdict(base({ services: [s], tasks: [task("n1", { slot: 1 })], upToDate: new Set(["n1"]) }));
    expect(v).toEqual({ state: "waiting", pending: [expect.stringContaining("update in progress")] });
  });

  it("fails at once on a task of this deploy that was rejected, naming it and its node", () => {
    const tasks = [task("n1", { slot: 1, state: "rejected", err: "No such image: app:v9" })];
    expect(rolloutVerdict(base({ tasks, upToDate: new Set(["n1"]) }))).toEqual({ state: "failed", reason: expect.stringMatching(/app-green\.1\.n1 on bgl-node1 rejected: No such image: app:v9/) });
  });

  it("ignores the failures of tasks that existed before the deploy", () => {
    const tasks = [task("old", { slot: 1, state: "failed", desired: "shutdown" }), task("n1", { slot: 1 }), task("n2", { slot: 2 })];
    expect(rolloutVerdict(base({ tasks, upToDate: new Set(["n1", "n2", "old"]), before: new Set(["old"]) }))).toEqual({ state: "done" });
  });

  it("fails on an update Swarm paused, but not on a paused status left from an earlier deploy", () => {
    const paused = service({ replicas: 1, UpdateStatus: { State: "paused", Message: "update paused due to failure" } });
    const tasks = [task("n1", { slot: 1 })];
    expect(rolloutVerdict(base({ services: [paused], tasks, upToDate: new Set(["n1"]) }))).toMatchObject({ state: "failed", reason: expect.stringContaining("update is paused: update paused due to failure") });
    expect(rolloutVerdict(base({ services: [paused], tasks, upToDate: new Set(["n1"]), updateBefore: new Map([["svc1", updateStatusKey(paused)]]) }))).toEqual({ state: "done" });
  });

  it("a stopped (scaled to 0) service needs no task", () => {
    expect(rolloutVerdict(base({ services: [service({ replicas: 0 })] }))).toEqual({ state: "done" });
  });

  it("a global service needs at least one task of the new spec and none of the old", () => {
    const g = service({ global: true });
    expect(rolloutVerdict(base({ services: [g] })).state).toBe("waiting");
    expect(rolloutVerdict(base({ services: [g], tasks: [task("a", { node: "A" }), task("b", { node: "B" })], upToDate: new Set(["a", "b"]) }))).toEqual({ state: "done" });
  });
});
