/**
 * "The daemon restarts while the TUI watches", without restarting the dockerd everyone shares: the
 * real TUI (bluegreen in a tmux pane, DOCKER_HOST pointing at a unix-socket forwarder) and the
 * Docker port's event subscription it uses (src/tui/hooks/use-stack-status.ts) talk to the daemon
 * through the forwarder; killing it looks to the client exactly like a daemon restart. While it is
 * down, the standby container starts and stops. The TUI's screen must say it is reconnecting, then
 * connected, and it must still run; the subscription must replay what it missed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDockerPort } from "../../src/docker/dockerode-port.js";
import type { DockerEvent, EventStreamStatus } from "../../src/docker/types.js";
import { run, sleep } from "../../testkit/demo-stack.js";
import { CLI } from "../../testkit/bluegreen-stack.js";
import { DockerSocketForwarder } from "../../testkit/docker-socket-forwarder.js";
import { startTmux, type TmuxSession } from "../../testkit/tmux.js";
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
      const env = Object.fromEntries(Object.entries(stack.bg.env).filter(([k]) => k !== "CI" && k !== "NO_COLOR"));
      // Ink renders nothing live under CI: the pane runs without it, like an operator's terminal.
      const tui: TmuxSession = await startTmux({
        command: [process.execPath, CLI, "-c", stack.bg.configPath],
        cwd: stack.bg.dir,
        env: { ...env, NO_COLOR: "1", DOCKER_HOST: `unix://${forwarder.path}` },
        unsetEnv: ["CI", "CONTINUOUS_INTEGRATION"],
        columns: 100,
        rows: 30,
      });
      const screen = async (pattern: RegExp, what: string, timeoutMs: number): Promise<boolean> => {
        try {
          await tui.waitFor(pattern, timeoutMs);
          return true;
        } catch (err) {
          problems.push(`the TUI did not show ${what} within ${timeoutMs / 1000} s: ${(err as Error).message.split("\n").slice(0, 12).join(" | ")}`);
          return false;
        }
      };
      try {
        return await withTui(id);
      } finally {
        await tui.sendKeys(["q"]).catch(() => undefined);
        const code = await tui.waitForExit(10_000).catch(() => null);
        notes.push(code === null ? "the TUI did not exit within 10 s of q (killed)" : `the TUI exited with ${code} on q`);
        await tui.kill();
      }

      async function withTui(standbyId: string): Promise<Verdict> {
        if (!(await screen(/· docker connected/, "that it is connected to Docker", 30_000))) return { problems, notes };
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
          if (await screen(/· docker reconnecting/, "that it is reconnecting", 15_000)) notes.push(`the TUI showed "reconnecting" ${Date.now() - droppedAt} ms after the drop`);
          await run("docker", ["start", standbyId]);
          await run("docker", ["stop", "-t", "5", standbyId]);
          const backAt = Date.now();
          await forwarder.start();
          if (!(await until(() => statuses.at(-1)?.state === "connected", 15_000))) problems.push("the stream did not reconnect within 15 s");
          else notes.push(`reconnected ${Date.now() - backAt} ms after the socket came back, ${statuses.filter((s) => s.state === "reconnecting").length} attempts`);
          // The header line says "docker connected" again.
          if (await screen(/· docker connected/, '"docker connected" again', 20_000)) notes.push(`the TUI showed "docker connected" again ${Date.now() - backAt} ms after the socket came back`);
          if ((await tui.exitStatus()) !== null) problems.push("the TUI exited during the outage");
          const missed = (action: string) => events.some((e) => e.containerId.startsWith(standbyId) && e.action === action);
          if (!(await until(() => missed("start") && missed("die"), 10_000))) problems.push(`the start/die events of ${standby} during the outage were not replayed`);
          else notes.push(`start and die of ${standby} during the outage replayed`);
        } finally {
          sub.close();
        }
        const after = await stack.waitSettled();
        if (after.problem) problems.push(`after: ${after.problem}`);
        return { problems, notes };
      }
    });
  } finally {
    await forwarder.kill();
    await rm(dir, { recursive: true, force: true });
  }
}
