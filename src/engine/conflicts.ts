import { otherColor, type Color } from "../domain/color.js";
import { describeReplicas, type ReplicaTargets } from "../domain/replicas.js";
import type { Conflict, LockInfo, RecordedState, SlotStatus } from "./status-model.js";

/** The facts conflict detection looks at: everything here was read from Docker, the proxy and the files. */
export interface ConflictFacts {
  slots: Record<Color, SlotStatus>;
  proxy: {
    running: boolean;
    reachable: boolean;
    target: Color | null;
    detail: string;
    /** The proxy's container as Docker sees it (absent: not created); optional for callers that only know the above. */
    container?: { service: string; state: string; restarts: number; exitCode: number | null } | null;
    /** Each replica's routing, for a proxy of several replicas. */
    replicas?: ReplicaTargets[];
  };
  state: RecordedState | null;
  stateError: string | null;
  lock: LockInfo | null;
}

function describeSlot(slot: SlotStatus): string {
  if (!slot.exists) return `${slot.color}: no containers`;
  const health = slot.healthy ? "healthy" : slot.running ? "running, not healthy" : "stopped";
  return `${slot.color}: ${health}, version ${slot.version ?? "unknown"}${slot.since ? `, since ${slot.since}` : ""}`;
}

/**
 * The color to keep when the stack disagrees with itself: the proxy's real target when it is healthy
 * (it is what users are being served), else whichever color is healthy, else none.
 */
export function recommendKeep(facts: ConflictFacts): { color: Color | null; why: string } {
  const target = facts.proxy.target;
  if (target && facts.slots[target].healthy) {
    return { color: target, why: `the proxy routes live traffic to ${target} and it is healthy` };
  }
  const healthy = (["blue", "green"] as const).filter((c) => facts.slots[c].healthy);
  if (healthy.length === 1) {
    const only = healthy[0] as Color;
    return { color: only, why: `${only} is the only healthy color` };
  }
  if (healthy.length === 2 && facts.state?.active) {
    return { color: facts.state.active, why: `both are healthy; the state file records ${facts.state.active} as active` };
  }
  if (healthy.length === 2) {
    return { color: null, why: "both colors are healthy and neither the proxy nor the state file says which is live: choose with --keep blue|green" };
  }
  return { color: null, why: "no color is healthy: deploy a working version" };
}

/** Pure: the proxy-down finding, or null when the proxy runs or the whole stack is simply down. */
export function proxyDownFinding(facts: ConflictFacts): Conflict | null {
  const { proxy, slots } = facts;
  if (proxy.running) return null;
  const container = proxy.container ?? null;
  const colorRunning = slots.blue.running || slots.green.running;
  if (!colorRunning && container?.state !== "restarting") return null;
  const service = container?.service ?? "proxy";
  const what = !container
    ? `the proxy container (service ${service}) does not exist`
    : container.state === "restarting"
      ? `the proxy container (service ${service}) is restarting (${container.restarts} restart${container.restarts === 1 ? "" : "s"}): it keeps dying at start`
      : `the proxy container (service ${service}) is ${container.state}${container.exitCode !== null ? ` (exit code ${container.exitCode})` : ""}`;
  const running = (["blue", "green"] as const).filter((c) => slots[c].running);
  return {
    kind: "proxy-down",
    message: `${what}, so live traffic is not being served${running.length ? ` although ${running.join(" and ")} ${running.length === 1 ? "runs" : "run"}` : ""}`,
    recommend: null,
    why:
      "start or restart the shared services with `bluegreen up` (the proxy comes back with its saved routing, and it is read back); " +
      `if it keeps restarting, read its log (\`docker logs\` of the ${service} container) — a config it rejects or a stale admin socket in proxy.runDir are the usual causes. Do not remove a color: both may be needed once the proxy answers`,
  };
}

/** Pure: who routes where, when a proxy's replicas do not all route both routes alike (or one did not answer); else null. */
export function replicasDisagree(replicas: ReplicaTargets[]): string | null {
  if (replicas.length < 2 && !replicas.some((r) => r.error !== undefined)) return null;
  const first = replicas[0];
  const same = replicas.every((r) => r.error === undefined && r.live === first?.live && r.preview === first?.preview);
  if (same) return null;
  return describeReplicas(replicas);
}

/** Pure: every way the stack can disagree with itself, each with its facts and a recommendation. */
export function detectConflicts(facts: ConflictFacts): Conflict[] {
  const conflicts: Conflict[] = [];
  const rec = recommendKeep(facts);
  const { slots, proxy, state, lock } = facts;
  const deployRunning = lock !== null && !lock.stale;

  if (facts.stateError) {
    conflicts.push({ kind: "state-corrupt", message: facts.stateError, recommend: rec.color, why: rec.why });
  }

  if (lock?.stale) {
    conflicts.push({
      kind: "stale-lock",
      message: `stale lock: ${lock.user}@${lock.host} (pid ${lock.pid}) ran \`${lock.command}\` since ${lock.startedAt} and that process is gone`,
      recommend: rec.color,
      why: "the process that held the lock no longer exists, so nothing is in progress",
    });
  }

  // A proxy that is not running while a color is (or that crash-loops) serves no live traffic: that is
  // the finding, and its fix is the shared services, not a choice between colors (the colors' running
  // state says nothing about which one is live while the proxy cannot be asked).
  const proxyDown = proxyDownFinding(facts);
  if (proxyDown) {
    conflicts.push(proxyDown);
    return conflicts;
  }

  if (proxy.running && !proxy.reachable) {
    conflicts.push({
      kind: "proxy-unreachable",
      message: `the proxy container runs but its control channel does not answer: ${proxy.detail}`,
      recommend: null,
      why: "without the proxy's answer the live color is unknown",
    });
  }

  const silent = (proxy.replicas ?? []).filter((r) => r.error !== undefined);
  if (silent.length > 0) {
    // A replica that does not answer cannot be switched: every switch refuses until it answers or is gone.
    conflicts.push({
      kind: "proxy-unreachable",
      message: `${silent.length} of ${proxy.replicas?.length ?? 0} proxy replicas do not answer: ${describeReplicas(silent)}; a switch changes nothing until every replica answers`,
      recommend: null,
      why: `find out why the replica on ${silent.map((r) => r.node).join(", ")} does not answer (its task paused, restarting or its node's Docker API down: \`docker service ps\` of the proxy), then run \`bluegreen status\` again`,
    });
  }
  const disagree = silent.length === 0 ? replicasDisagree(proxy.replicas ?? []) : null;
  if (disagree) {
    // Which color to settle on: the state file's, when it is healthy (what the last operation meant), else as for any conflict.
    const intended = state?.active && slots[state.active].healthy ? { color: state.active, why: `the state file records ${state.active} as active and it is healthy` } : rec;
    conflicts.push({ kind: "proxy-replicas-disagree", message: `the proxy's replicas route differently: ${disagree}`, recommend: intended.color, why: intended.why });
  }

  // Replicas that disagree or do not all answer leave no single target: that is the finding, not the drift or "both running" it implies.
  const splitReplicas = silent.length > 0 || disagree !== null;

  if (slots.blue.running && slots.green.running && !deployRunning) {
    // With replicas that disagree the target is not one color: the recorded warm standby still counts as intended.
    const warmStandby = state?.warm === true && state.active !== null && (state.active === proxy.target || splitReplicas);
    if (!warmStandby) {
      conflicts.push({
        kind: "both-running",
        message: `both colors are running and no deploy is in progress (${describeSlot(slots.blue)}; ${describeSlot(slots.green)})`,
        recommend: rec.color,
        why: rec.why,
      });
    }
  }

  // Replicas that disagree are the finding; the drift against "nothing" that follows from it is not another one.
  if (state?.active && proxy.reachable && !splitReplicas && proxy.target !== state.active && !deployRunning) {
    conflicts.push({
      kind: "state-drift",
      message: `the state file says ${state.active} is active but the proxy routes to ${proxy.target ?? "nothing"}`,
      recommend: rec.color,
      why: rec.why,
    });
  }

  if (proxy.reachable && proxy.target && !slots[proxy.target].healthy) {
    const other = otherColor(proxy.target);
    conflicts.push({
      kind: "proxy-target-unhealthy",
      message: `the proxy routes live traffic to ${proxy.target}, which has no healthy container (${describeSlot(slots[proxy.target])}); ${describeSlot(slots[other])}`,
      recommend: rec.color,
      why: rec.why,
    });
  }
  return conflicts;
}
