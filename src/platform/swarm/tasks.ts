/**
 * Pure: swarm tasks → the ContainerInfo the engine and the TUI already know. A task is one slot's
 * container on one node; Swarm keeps a history of replaced tasks per slot, of which only the current
 * one matters (plus, when a slot has none running, its latest, so status can say why it ended).
 */
import { toContainerInfo, type InspectData } from "../../docker/container-info.js";
import type { ContainerInfo, ContainerState } from "../../docker/types.js";
import type { SwarmService, SwarmTask, TaskState } from "./api-types.js";

/** The states of a task whose container is wanted, being made, or runs. */
const ACTIVE: ReadonlySet<TaskState> = new Set(["new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running"]);
/** States in which a task's container may exist on its node (inspectable). */
const HAS_CONTAINER: ReadonlySet<TaskState> = new Set(["starting", "running", "complete", "shutdown", "failed"]);

export function isActiveTask(task: Pick<SwarmTask, "Status">): boolean {
  return ACTIVE.has(task.Status.State);
}

/** Whether the task's container may exist on its node. */
export function mayHaveContainer(task: SwarmTask): boolean {
  return Boolean(task.Status.ContainerStatus?.ContainerID) && HAS_CONTAINER.has(task.Status.State);
}

/** A task's state in Docker's container vocabulary (for a task whose container was not inspected). */
export function taskContainerState(state: TaskState): ContainerState {
  switch (state) {
    case "running":
      return "running";
    case "complete":
    case "shutdown":
    case "failed":
      return "exited";
    case "rejected":
    case "orphaned":
      return "dead";
    case "remove":
      return "removing";
    default:
      return "created";
  }
}

/** "bluegreen-lab-green_app-green" → "app-green" (stack deploy names services `<namespace>_<name>`). */
export function shortServiceName(serviceName: string, namespace: string): string {
  return serviceName.startsWith(`${namespace}_`) ? serviceName.slice(namespace.length + 1) : serviceName;
}

/** The name Swarm gives a task's container: `<service>.<slot or node id>.<task id>`. */
export function taskContainerName(task: SwarmTask, serviceName: string): string {
  return `${serviceName}.${task.Slot ?? task.NodeID ?? "?"}.${task.ID}`;
}

/** Where a task sits: its service's slot (replicated) or node (global). */
function slotKey(task: SwarmTask): string {
  return `${task.ServiceID} ${task.Slot ?? `node:${task.NodeID ?? ""}`}`;
}

function taskTime(task: SwarmTask): string {
  return task.Status.Timestamp ?? task.UpdatedAt ?? task.CreatedAt ?? "";
}

/**
 * The tasks that stand for the stack now: per slot, those Swarm wants running, plus older ones still
 * really running (being stopped during an update); a slot with neither shows its latest task. Of a
 * slot being removed (scaled down) nothing is kept once its tasks stopped: Swarm deletes them.
 */
export function currentTasks(tasks: SwarmTask[]): SwarmTask[] {
  const bySlot = new Map<string, SwarmTask[]>();
  for (const task of tasks) {
    const key = slotKey(task);
    bySlot.set(key, [...(bySlot.get(key) ?? []), task]);
  }
  const out: SwarmTask[] = [];
  for (const group of bySlot.values()) {
    const live = group.filter((t) => t.DesiredState === "running" || t.DesiredState === "ready" || t.Status.State === "running" || t.Status.State === "starting");
    if (live.length > 0) out.push(...live);
    else {
      const latest = [...group].sort((a, b) => taskTime(b).localeCompare(taskTime(a)))[0];
      if (latest && latest.DesiredState !== "remove") out.push(latest);
    }
  }
  return out.sort((a, b) => (a.ServiceID === b.ServiceID ? (a.Slot ?? 0) - (b.Slot ?? 0) || taskTime(a).localeCompare(taskTime(b)) : a.ServiceID.localeCompare(b.ServiceID)));
}

/** What a task says of itself when its container cannot be (or was not) inspected, in inspect's shape. */
function taskInspectData(task: SwarmTask, service: SwarmService): InspectData {
  const state = taskContainerState(task.Status.State);
  const spec = task.Spec?.ContainerSpec ?? service.Spec.TaskTemplate.ContainerSpec ?? {};
  return {
    Id: task.Status.ContainerStatus?.ContainerID || task.ID,
    Name: taskContainerName(task, service.Spec.Name),
    RestartCount: 0,
    State: {
      Status: state,
      Running: state === "running",
      ExitCode: task.Status.ContainerStatus?.ExitCode ?? 0,
      StartedAt: state === "running" ? (task.Status.Timestamp ?? "") : "",
    } as InspectData["State"],
    Config: { Image: imageName(spec.Image ?? ""), Labels: spec.Labels ?? {}, Env: spec.Env ?? [] },
  };
}

/** "app:v1@sha256:…" → "app:v1": the digest stack deploy may pin is noise for an operator. */
export function imageName(image: string): string {
  return image.replace(/@sha256:[0-9a-f]+$/, "");
}

export interface TaskView {
  task: SwarmTask;
  service: SwarmService;
  namespace: string;
  /** The node's hostname, when the task was assigned one. */
  node: string | undefined;
  /** The task's container as its node's engine reports it; null when not inspected or gone. */
  container: ContainerInfo | null;
  /** Why the container could not be inspected (its node's engine did not answer), if so. */
  containerError?: string;
}

/**
 * One task as a ContainerInfo: id = its container's id (the task's id while it has none), name as
 * Swarm names the container, project = the stack, service = the compose service name ("app-green"),
 * color and version from the labels (toContainerInfo's mapping), state and health from the container
 * when its node answered, else from the task (health "starting": not known, never assumed healthy).
 */
export function taskToContainerInfo(view: TaskView): ContainerInfo {
  const { task, service, namespace } = view;
  const fromTask = toContainerInfo(taskInspectData(task, service));
  const base = view.container ? { ...view.container, name: view.container.name || fromTask.name } : fromTask;
  const running = base.state === "running";
  const why = task.Status.Err ? `task: ${task.Status.Err}` : null;
  const unknown = !view.container && running;
  const info: ContainerInfo = {
    ...base,
    project: namespace,
    service: shortServiceName(service.Spec.Name, namespace),
    color: base.color ?? fromTask.color,
    version: base.version ?? fromTask.version,
    image: fromTask.image || base.image,
    health: unknown ? "starting" : base.health,
    lastHealthOutput: base.lastHealthOutput ?? (unknown ? `health not known: ${view.containerError ?? "the container was not inspected"}` : why),
    exitCode: base.state === "exited" || base.state === "dead" ? (base.exitCode ?? task.Status.ContainerStatus?.ExitCode ?? null) : null,
  };
  if (view.node !== undefined) info.node = view.node;
  return info;
}

/**
 * A stopped service (see stop-spec.ts) has no task left, yet it is defined: one entry for it,
 * state "exited", id "service:<id>", so the slot reads as stopped (exists, not running), not absent.
 */
export function scaledDownEntry(service: SwarmService, namespace: string): ContainerInfo {
  const spec = service.Spec.TaskTemplate.ContainerSpec ?? {};
  const info = toContainerInfo({
    Id: `service:${service.ID}`,
    Name: service.Spec.Name,
    RestartCount: 0,
    State: { Status: "exited", Running: false, ExitCode: 0, StartedAt: "" } as InspectData["State"],
    Config: { Image: imageName(spec.Image ?? ""), Labels: spec.Labels ?? {}, Env: spec.Env ?? [] },
  });
  return { ...info, project: namespace, service: shortServiceName(service.Spec.Name, namespace), exitCode: null, lastHealthOutput: "scaled to 0 (stopped): no task" };
}
