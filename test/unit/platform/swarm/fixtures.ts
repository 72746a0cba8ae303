// Engine API answers of the swarm lab, trimmed to what the adapter reads (shapes as Docker 20.10 sends them).
import type { SwarmService, SwarmTask, TaskState } from "../../../../src/platform/swarm/api-types.js";

export const NS = "bluegreen-lab-green";

export function service(over: Partial<SwarmService> & { replicas?: number; global?: boolean } = {}): SwarmService {
  const { replicas = 2, global = false, ...rest } = over;
  return {
    ID: "svc1",
    Version: { Index: 10 },
    Spec: {
      Name: `${NS}_app-green`,
      Labels: { "com.docker.stack.namespace": NS },
      TaskTemplate: {
        ContainerSpec: {
          Image: "bluegreen-demo/app:v2@sha256:abc123",
          Labels: { "bluegreen.color": "green", "bluegreen.version": "v2", "com.docker.stack.namespace": NS },
          Env: ["APP_COLOR=green", "APP_VERSION=v2"],
          StopGracePeriod: 40_000_000_000,
        },
        Placement: { MaxReplicas: 1 },
      },
      Mode: global ? { Global: {} } : { Replicated: { Replicas: replicas } },
    },
    ...rest,
  };
}

export function task(id: string, over: { slot?: number; node?: string; desired?: TaskState; state?: TaskState; container?: string; at?: string; err?: string; exit?: number; serviceId?: string } = {}): SwarmTask {
  const t: SwarmTask = {
    ID: id,
    ServiceID: over.serviceId ?? "svc1",
    NodeID: over.node ?? "node-a",
    DesiredState: over.desired ?? "running",
    Spec: service().Spec.TaskTemplate,
    Status: {
      Timestamp: over.at ?? "2026-12-03T11:00:00Z",
      State: over.state ?? "running",
      Message: over.state ?? "running",
      ...(over.err ? { Err: over.err } : {}),
      ContainerStatus: { ContainerID: over.container ?? `${id}-container`, ExitCode: over.exit ?? 0 },
    },
  };
  if (over.slot !== undefined) t.Slot = over.slot;
  return t;
}
