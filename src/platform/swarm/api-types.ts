/** The parts of the swarm Engine API's answers (/tasks, /services, /nodes) this adapter reads. */

/** A task's state, in swarmkit's order (new … running, then the ends). */
export type TaskState =
  | "new"
  | "allocated"
  | "pending"
  | "assigned"
  | "accepted"
  | "preparing"
  | "ready"
  | "starting"
  | "running"
  | "complete"
  | "shutdown"
  | "failed"
  | "rejected"
  | "remove"
  | "orphaned";

export interface ContainerSpec {
  Image?: string;
  Labels?: Record<string, string> | null;
  Env?: string[] | null;
  Command?: string[] | null;
  Args?: string[] | null;
  Dir?: string;
  User?: string;
  /** Nanoseconds. */
  StopGracePeriod?: number;
  Healthcheck?: { Test?: string[] } | null;
}

export interface TaskSpec {
  ContainerSpec?: ContainerSpec;
  Placement?: { Constraints?: string[] | null; MaxReplicas?: number };
  Networks?: { Target: string; Aliases?: string[] }[];
  RestartPolicy?: { Condition?: "none" | "on-failure" | "any"; MaxAttempts?: number };
  ForceUpdate?: number;
  [key: string]: unknown;
}

export interface SwarmTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  /** Replicated services number their tasks' slots; global ones have none (one task per node). */
  Slot?: number;
  CreatedAt?: string;
  UpdatedAt?: string;
  DesiredState: TaskState;
  Spec?: TaskSpec;
  Status: {
    Timestamp?: string;
    State: TaskState;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; PID?: number; ExitCode?: number };
  };
}

export interface ServiceMode {
  Replicated?: { Replicas?: number };
  Global?: Record<string, never>;
  ReplicatedJob?: { MaxConcurrent?: number; TotalCompletions?: number };
  GlobalJob?: Record<string, never>;
}

export interface ServiceSpec {
  Name: string;
  Labels?: Record<string, string>;
  TaskTemplate: TaskSpec;
  Mode?: ServiceMode;
  [key: string]: unknown;
}

export interface SwarmService {
  ID: string;
  Version: { Index: number };
  Spec: ServiceSpec;
  UpdateStatus?: { State?: "updating" | "paused" | "completed" | "rollback_started" | "rollback_paused" | "rollback_completed"; Message?: string };
}

export interface SwarmNode {
  ID: string;
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string; Message?: string };
  Spec?: { Availability?: string; Role?: string };
  ManagerStatus?: { Leader?: boolean; Addr?: string };
}

/** The stack label `docker stack deploy` puts on every service, network, config and container. */
export const STACK_LABEL = "com.docker.stack.namespace";
/** The label a bluegreen one-off job carries instead (so it is no part of the color's stack). */
export const ONE_OFF_LABEL = "bluegreen.one-off";
