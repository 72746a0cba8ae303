import type { Color } from "../domain/color.js";
import type { ContainerInfo } from "../docker/types.js";
import type { ProxyDriverName } from "../config/types.js";
import type { ReplicaTargets } from "../domain/replicas.js";

export interface SlotStatus {
  color: Color;
  containers: ContainerInfo[];
  /** Every rotating service of this color has a running container. */
  running: boolean;
  /** Running and every container healthy (or without a healthcheck). */
  healthy: boolean;
  /** Some container of this color exists (running or not). */
  exists: boolean;
  version: string | null;
  /** Earliest start time among its running containers (ISO), or null. */
  since: string | null;
}

export interface LockInfo {
  pid: number;
  host: string;
  user: string;
  command: string;
  startedAt: string;
  stale: boolean;
}

export interface RecordedState {
  active: Color | null;
  previous: Color | null;
  versions: Partial<Record<Color, string>>;
  /** The non-active color is deliberately kept running for instant rollback. */
  warm: boolean;
  updatedAt: string;
  updatedBy: string;
}

export type ConflictKind =
  | "both-running"
  | "state-drift"
  | "proxy-target-unhealthy"
  | "proxy-unreachable"
  | "proxy-down"
  | "proxy-replicas-disagree"
  | "stale-lock"
  | "state-corrupt";

export interface Conflict {
  kind: ConflictKind;
  message: string;
  /** The color resolve would keep, when a recommendation can be made. */
  recommend: Color | null;
  why: string;
}

export interface StackStatus {
  stack: string;
  /** The color the proxy really routes to (read from the proxy), or null. */
  active: Color | null;
  proxy: {
    driver: ProxyDriverName;
    reachable: boolean;
    target: Color | null;
    preview: Color | null;
    detail: string;
    /** How the proxy applies a switch, when its driver says (nginx: njs per request, or a reload). */
    how?: string;
    /** Each replica's routing, for a proxy of several replicas (swarm). */
    replicas?: ReplicaTargets[];
    container: ContainerInfo | null;
  };
  state: RecordedState | null;
  stateError: string | null;
  slots: Record<Color, SlotStatus>;
  shared: ContainerInfo[];
  lock: LockInfo | null;
  conflicts: Conflict[];
  /** What the platform runs short of (see Platform.degraded); empty when whole. */
  degraded: string[];
  checkedAt: string;
}
