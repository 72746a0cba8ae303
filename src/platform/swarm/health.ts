/**
 * Pure: is one watched task healthy yet? On swarm that is two facts from two places: the task's
 * state (the manager; "running" only once a healthcheck passed) and its container's health (the
 * node). Swarm replaces a task it gives up on, under a new ID, so a watched task that failed, was
 * rejected or is being shut down is an answer (it failed), not something to wait out.
 */
import type { ContainerInfo } from "../../docker/types.js";
import type { SwarmTask } from "./api-types.js";

export type TaskHealth = { state: "healthy" } | { state: "waiting"; detail: string } | { state: "failed"; reason: string };

/** The task whose container (or which itself) has this id; a prefix of a container id matches too. */
export function findTask(tasks: SwarmTask[], id: string): SwarmTask | undefined {
  return tasks.find((t) => t.ID === id) ?? tasks.find((t) => (t.Status.ContainerStatus?.ContainerID ?? "").startsWith(id) && id.length >= 12);
}

export function taskHealth(task: SwarmTask | undefined, info: ContainerInfo | undefined): TaskHealth {
  if (!task) return { state: "failed", reason: "no task has this container any more: its service was removed or scaled down" };
  const s = task.Status;
  const err = s.Err || s.Message || "no reason given";
  if (s.State === "failed" || s.State === "rejected" || s.State === "orphaned") {
    const code = s.ContainerStatus?.ExitCode;
    return { state: "failed", reason: `its task ${s.State}${s.State === "failed" && code !== undefined ? ` (exit code ${code})` : ""}: ${err}` };
  }
  if (s.State === "complete" || s.State === "shutdown" || s.State === "remove") {
    return { state: "failed", reason: `its task ended (${s.State}, exit code ${s.ContainerStatus?.ExitCode ?? "unknown"}): ${err}` };
  }
  if (task.DesiredState === "shutdown" || task.DesiredState === "remove") {
    return { state: "failed", reason: `Swarm is shutting its task down (desired state ${task.DesiredState}; ${err}): a replaced task does not come back under this ID` };
  }
  if (s.State !== "running") return { state: "waiting", detail: `task ${s.State}${s.Err ? ` (${s.Err})` : ""}` };
  if (!info || info.state !== "running") return { state: "waiting", detail: `task running, container ${info ? info.state : "not inspected yet"}` };
  if (info.health === "healthy" || info.health === "none") return { state: "healthy" };
  return { state: "waiting", detail: `health ${info.health}${info.lastHealthOutput ? ` (${info.lastHealthOutput})` : ""}` };
}

/** A watched task failed before it was healthy. */
export class TaskFailedError extends Error {
  override readonly name = "TaskFailedError";
  constructor(
    readonly container: string,
    readonly node: string | undefined,
    reason: string,
    logTail: string,
    todo: { manager: string; service: string; nodeEndpoint: string | undefined; id: string },
  ) {
    super(
      `${container}${node ? ` on node ${node}` : ""} did not become healthy: ${reason}.` +
        (logTail ? `\n  last log lines:\n${logTail.split("\n").map((l) => `    ${l}`).join("\n")}` : "\n  (no log output)") +
        `\nThe color's services stay deployed; Swarm keeps replacing failed tasks. ` +
        `What to do: read \`docker -H ${todo.manager} service ps ${todo.service} --no-trunc\`` +
        (todo.nodeEndpoint ? ` and \`docker -H ${todo.nodeEndpoint} logs ${todo.id.slice(0, 12)}\`` : "") +
        ", fix the release, then deploy again.",
    );
  }
}
