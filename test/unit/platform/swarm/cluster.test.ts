// createCluster's read of a stack against a fake Engine API on a unix socket (the real swarm is in
// test/integration/swarm-platform.test.ts): the manager answers /nodes, /info, /services and /tasks,
// and, being its own node, the container inspects.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SwarmService, SwarmTask } from "../../../../src/platform/swarm/api-types.js";
import { createCluster } from "../../../../src/platform/swarm/cluster.js";

const NS = "demo-green";
const service: SwarmService = {
  ID: "svc1",
  Version: { Index: 9 },
  Spec: {
    Name: `${NS}_app-green`,
    Labels: { "com.docker.stack.namespace": NS },
    TaskTemplate: { ContainerSpec: { Image: "app:v2", Labels: { "com.docker.stack.namespace": NS } } },
    Mode: { Replicated: { Replicas: 0 } },
  },
};
const task = (id: string, slot: number, state: SwarmTask["Status"]["State"], desired: SwarmTask["DesiredState"]): SwarmTask => ({
  ID: id,
  ServiceID: "svc1",
  NodeID: "node1",
  Slot: slot,
  DesiredState: desired,
  Status: { State: state, Timestamp: "2026-12-04T00:00:00Z", ContainerStatus: { ContainerID: `c-${id}` } },
});

describe("the cluster's read of a stack", () => {
  let dir: string;
  let server: Server;
  let tasks: SwarmTask[] = [];
  let containerState: "running" | "exited" = "exited";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bg-cluster-test-"));
    server = createServer((req, res) => {
      const url = req.url ?? "";
      const json = (body: unknown): void => void res.setHeader("content-type", "application/json").end(JSON.stringify(body));
      if (url.startsWith("/nodes")) return json([{ ID: "node1", Description: { Hostname: "n1" }, Status: { State: "ready", Addr: "10.0.0.1" } }]);
      if (url.startsWith("/info")) return json({ Swarm: { NodeID: "node1" } });
      if (url.startsWith("/services")) return json([service]);
      if (url.startsWith("/tasks")) return json(tasks);
      const inspect = /^\/containers\/([^/]+)\/json/.exec(url);
      if (inspect)
        return json({ Id: inspect[1], Name: `/${inspect[1]}`, RestartCount: 0, State: { Status: containerState, Running: containerState === "running", ExitCode: 0, StartedAt: "" }, Config: { Image: "app:v2", Labels: {}, Env: [] } });
      res.statusCode = 404;
      json({ message: `no ${url}` });
    });
    await new Promise<void>((resolve) => server.listen(join(dir, "docker.sock"), resolve));
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const read = async () => {
    const cluster = createCluster({ stack: "demo", files: { shared: [], blue: [], green: [] }, cwd: "/", env: {}, manager: `unix://${join(dir, "docker.sock")}` }, [NS]);
    return (await cluster.containers([NS]))[NS] ?? [];
  };

  it("a color scaled to 0 whose containers exited before their node reported it reads as stopped, not as its old tasks", async () => {
    // The manager still says "running" (desired: shutdown); the node's containers have exited.
    tasks = [task("t1", 1, "running", "shutdown"), task("t2", 2, "running", "shutdown")];
    containerState = "exited";
    const list = await read();
    expect(list.map((c) => ({ id: c.id, state: c.state }))).toEqual([{ id: "service:svc1", state: "exited" }]);
  });

  it("a task being stopped whose container still runs stays in the list (a rolling update's old task)", async () => {
    tasks = [task("t1", 1, "running", "shutdown")];
    containerState = "running";
    const list = await read();
    expect(list.map((c) => ({ id: c.id, state: c.state }))).toEqual([{ id: "c-t1", state: "running" }]);
  });

  it("a slot whose last task failed shows that task", async () => {
    tasks = [task("t1", 1, "failed", "shutdown")];
    containerState = "exited";
    expect((await read()).map((c) => ({ id: c.id, state: c.state }))).toEqual([{ id: "c-t1", state: "exited" }]);
  });
});
