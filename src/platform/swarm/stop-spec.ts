/**
 * Pure: the service spec that stops a color while keeping it defined, so that a later
 * `docker stack deploy` (start) brings it back from the files as they are: a replicated service is
 * scaled to 0; a global one cannot be, so it gets a placement constraint no node satisfies. Either
 * way the stop grace period becomes the engine's stop timeout (SIGTERM, then SIGKILL after it).
 */
import type { ServiceSpec, SwarmService } from "./api-types.js";

/** A constraint no node matches (node IDs are 25 lowercase alphanumerics). */
export const STOPPED_CONSTRAINT = "node.id==bluegreen-stopped";

export function stoppedSpec(spec: ServiceSpec, stopTimeoutMs: number): ServiceSpec {
  const template = spec.TaskTemplate;
  const container = { ...(template.ContainerSpec ?? {}), StopGracePeriod: Math.max(0, Math.round(stopTimeoutMs)) * 1_000_000 };
  if (spec.Mode?.Global !== undefined) {
    const constraints = template.Placement?.Constraints ?? [];
    return {
      ...spec,
      TaskTemplate: {
        ...template,
        ContainerSpec: container,
        Placement: { ...(template.Placement ?? {}), Constraints: constraints.includes(STOPPED_CONSTRAINT) ? constraints : [...constraints, STOPPED_CONSTRAINT] },
      },
    };
  }
  return { ...spec, TaskTemplate: { ...template, ContainerSpec: container }, Mode: { Replicated: { Replicas: 0 } } };
}

/** Is a service defined but stopped (scaled to 0, or a global one held off every node)? */
export function isStopped(service: Pick<SwarmService, "Spec">): boolean {
  if (service.Spec.Mode?.Replicated?.Replicas === 0) return true;
  return service.Spec.Mode?.Global !== undefined && (service.Spec.TaskTemplate.Placement?.Constraints ?? []).includes(STOPPED_CONSTRAINT);
}

/** The spec with its task template's ForceUpdate bumped: Swarm replaces every task (`--force`). */
export function forcedSpec(spec: ServiceSpec): ServiceSpec {
  return { ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: (spec.TaskTemplate.ForceUpdate ?? 0) + 1 } };
}
