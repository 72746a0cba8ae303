/**
 * Pure: has a `docker stack deploy` taken effect? The CLI returns once the manager accepted the new
 * specs; the tasks are replaced afterwards (an update of an existing service rolls task by task, and
 * a task with a healthcheck stays "starting" until healthy). `start` waits until every service's
 * tasks are of the new spec and have a container, so what the engine lists next is the new release,
 * never the old one still running.
 */
import type { SwarmService, SwarmTask } from "./api-types.js";
import { isStopped } from "./stop-spec.js";
import { taskContainerName } from "./tasks.js";

export interface RolloutInput {
  services: SwarmService[];
  tasks: SwarmTask[];
  /** IDs of the tasks Swarm reports as of each service's current spec (the `_up-to-date` filter). */
  upToDate: ReadonlySet<string>;
  /** IDs of the tasks that existed before the deploy: their old failures are not this deploy's. */
  before: ReadonlySet<string>;
  /** Each service's UpdateStatus before the deploy, by ID: a status left unchanged is an old one. */
  updateBefore: ReadonlyMap<string, string>;
  /** Node hostnames by ID, for messages. */
  nodeNames: ReadonlyMap<string, string>;
  /** The state of each node the manager does not see as ready ("down", "unknown", "disconnected"), by ID. */
  nodesNotReady?: ReadonlyMap<string, string>;
}

export type RolloutVerdict =
  | { state: "done" }
  | { state: "waiting"; pending: string[] }
  | { state: "failed"; reason: string }
  /** The rollout waits on tasks of a node the manager lost: Swarm cannot finish it until that node is back or drained. */
  | { state: "node-lost"; nodes: string[]; reason: string };

const CREATED = new Set(["starting", "running"]);
const ACTIVE = new Set(["new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running"]);
const FAILED = new Set(["failed", "rejected"]);

export function updateStatusKey(service: SwarmService): string {
  return JSON.stringify(service.UpdateStatus ?? null);
}

export function rolloutVerdict(input: RolloutInput): RolloutVerdict {
  const pending: string[] = [];
  const notReady = input.nodesNotReady ?? new Map<string, string>();
  const lost = new Map<string, string[]>(); // node hostname → what waits on it
  for (const service of input.services) {
    const name = service.Spec.Name;
    const tasks = input.tasks.filter((t) => t.ServiceID === service.ID);
    const where = (t: SwarmTask): string => `${taskContainerName(t, name)}${t.NodeID ? ` on ${input.nodeNames.get(t.NodeID) ?? t.NodeID}` : ""}`;
    const failed = tasks.find((t) => !input.before.has(t.ID) && FAILED.has(t.Status.State));
    if (failed) {
      return { state: "failed", reason: `${where(failed)} ${failed.Status.State}: ${failed.Status.Err || failed.Status.Message || "no reason given"}` };
    }
    const update = service.UpdateStatus;
    const fresh = update && input.updateBefore.get(service.ID) !== updateStatusKey(service);
    if (fresh && update.State && ["paused", "rollback_started", "rollback_paused", "rollback_completed"].includes(update.State)) {
      return { state: "failed", reason: `${name}: the update is ${update.State.replace("_", " ")}: ${update.Message ?? "no message"}` };
    }
    if (isStopped(service) || service.Spec.Mode?.ReplicatedJob || service.Spec.Mode?.GlobalJob) continue;
    const wanted = tasks.filter((t) => t.DesiredState === "running" || t.DesiredState === "ready");
    const stale = wanted.filter((t) => !input.upToDate.has(t.ID));
    // Old tasks still stopping (start-first updates stop them last): until they are gone, a list
    // would show the old release next to the new one.
    // A task on a lost node never reports that it stopped: Swarm has its node stop it when it is back.
    const onLostNode = (t: SwarmTask): boolean => t.NodeID !== undefined && notReady.has(t.NodeID);
    const stopping = tasks.filter((t) => !input.upToDate.has(t.ID) && !wanted.includes(t) && ACTIVE.has(t.Status.State) && !onLostNode(t));
    const pendingBefore = pending.length;
    const created = wanted.filter((t) => input.upToDate.has(t.ID) && CREATED.has(t.Status.State));
    const replicas = service.Spec.Mode?.Replicated?.Replicas;
    const enough = replicas === undefined ? created.length > 0 : created.length >= replicas;
    if (fresh && update.State === "updating") pending.push(`${name}: update in progress (${created.length}${replicas === undefined ? "" : `/${replicas}`} tasks of the new spec)`);
    else if (stale.length > 0) pending.push(`${name}: ${stale.length} task(s) of the old spec still wanted`);
    else if (stopping.length > 0) pending.push(`${name}: ${stopping.length} task(s) of the old spec still stopping`);
    else if (!enough) {
      const notYet = wanted.filter((t) => !CREATED.has(t.Status.State)).map((t) => `${where(t)} ${t.Status.State}${t.Status.Err ? ` (${t.Status.Err})` : ""}`);
      pending.push(`${name}: ${created.length}${replicas === undefined ? "" : `/${replicas}`} tasks created${notYet.length ? `; ${notYet.join(", ")}` : ""}`);
    }
    // Still pending with tasks on a lost node: an update waits for those tasks to stop (they never
    // report it), a wanted task there never starts. Waiting on would only run into the deadline.
    const stuck = tasks.filter((t) => onLostNode(t) && (ACTIVE.has(t.Status.State) || wanted.includes(t)));
    if (pending.length > pendingBefore && stuck.length > 0) {
      for (const t of stuck) {
        const node = input.nodeNames.get(t.NodeID as string) ?? (t.NodeID as string);
        lost.set(node, [...(lost.get(node) ?? []), `${where(t)} (${t.Status.State}, node ${notReady.get(t.NodeID as string)})`]);
      }
    }
  }
  if (lost.size > 0) {
    const nodes = [...lost.keys()].sort();
    return { state: "node-lost", nodes, reason: `${pending.join("; ")}; it waits on ${[...lost.values()].flat().join(", ")}` };
  }
  return pending.length === 0 ? { state: "done" } : { state: "waiting", pending };
}
