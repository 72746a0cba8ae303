/**
 * "The daemon restarts while the TUI watches", without restarting the dockerd everyone shares: the
 * TUI's data source (the Docker port's event subscription, as src/tui/hooks/use-stack-status.ts
 * uses it) talks to the daemon through a unix-socket forwarder; killing the forwarder looks to the
 * client exactly like a daemon restart. While it is down, the standby container starts and stops;
 * the subscription must report "reconnecting", come back, and replay what it missed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDockerPort } from "../../src/docker/dockerode-port.js";
import type { DockerEvent, EventStreamStatus } from "../../src/docker/types.js";
import { run, sleep } from "../../testkit/demo-stack.js";
import { DockerSocketForwarder } from "../../testkit/docker-socket-forwarder.js";
import type { ScenarioResult } from "../types.js";
import type { Color, FaultStack } from "./fault-stack.js";
import { underLoad, type Verdict } from "./scenario.js";

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(100);
  }
  return check();
}

export async function dockerReconnectScenario(stack: FaultStack, log: (m: string) => void): Promise<ScenarioResult> {
  const before = await stack.settleWithStandby(log);
  const standby: Color = before.active === "blue" ? "green" : "blue";
  const dir = await mkdtemp(path.join(tmpdir(), "bgt-flt-fwd-"));
  const forwarder = new DockerSocketForwarder(path.join(dir, "docker.sock"));
  try {
    return await underLoad(`docker: daemon connection lost while the TUI watches (${stack.proxy})`, stack, async (): Promise<Verdict> => {
      const problems: string[] = [];
      const notes: string[] = [];
      const id = await stack.bg.demo.containerId(standby);
      if (!id) return { problems: [`precondition: no ${standby} container to start and stop during the outage`], notes };
      await forwarder.start();
      const port = createDockerPort({ socketPath: forwarder.path });
      const events: DockerEvent[] = [];
      const statuses: EventStreamStatus[] = [];
      const sub = port.subscribe(Object.values(stack.bg.demo.projects), (e) => events.push(e), (s) => statuses.push(s));
      try {
        if (!(await until(() => statuses.some((s) => s.state === "connected"), 10_000))) problems.push("the event stream never connected");
        const droppedAt = Date.now();
        await forwarder.kill();
        if (!(await until(() => statuses.some((s) => s.state === "reconnecting"), 5_000))) problems.push("no reconnecting status after the connection dropped");
        else notes.push(`reconnecting reported after ${Date.now() - droppedAt} ms`);
        await run("docker", ["start", id]);
        await run("docker", ["stop", "-t", "5", id]);
        const backAt = Date.now();
        await forwarder.start();
        if (!(await until(() => statuses.at(-1)?.state === "connected", 15_000))) problems.push("the stream did not reconnect within 15 s");
        else notes.push(`reconnected ${Date.now() - backAt} ms after the socket came back, ${statuses.filter((s) => s.state === "reconnecting").length} attempts`);
        const missed = (action: string) => events.some((e) => e.containerId.startsWith(id) && e.action === action);
        if (!(await until(() => missed("start") && missed("die"), 10_000))) problems.push(`the start/die events of ${standby} during the outage were not replayed`);
        else notes.push(`start and die of ${standby} during the outage replayed`);
      } finally {
        sub.close();
      }
      const after = await stack.waitSettled();
      if (after.problem) problems.push(`after: ${after.problem}`);
      return { problems, notes };
    });
  } finally {
    await forwarder.kill();
    await rm(dir, { recursive: true, force: true });
  }
}
