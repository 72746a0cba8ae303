import { describe, expect, it } from "vitest";
import { forcedSpec, isStopped, STOPPED_CONSTRAINT, stoppedSpec } from "../../../../src/platform/swarm/stop-spec.js";
import { service } from "./fixtures.js";

describe("stopping a color keeps its services defined", () => {
  it("scales a replicated service to 0 with the stop timeout as its grace period, the rest unchanged", () => {
    const spec = stoppedSpec(service({ replicas: 2 }).Spec, 12_500);
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 0 } });
    expect(spec.TaskTemplate.ContainerSpec?.StopGracePeriod).toBe(12_500_000_000);
    expect(spec.TaskTemplate.ContainerSpec?.Image).toBe(service().Spec.TaskTemplate.ContainerSpec?.Image);
    expect(spec.TaskTemplate.Placement).toEqual({ MaxReplicas: 1 });
  });

  it("holds a global service (which cannot be scaled) off every node, once", () => {
    const once = stoppedSpec(service({ global: true }).Spec, 1000);
    expect(once.Mode).toEqual({ Global: {} });
    expect(once.TaskTemplate.Placement?.Constraints).toEqual([STOPPED_CONSTRAINT]);
    expect(stoppedSpec(once, 1000).TaskTemplate.Placement?.Constraints).toEqual([STOPPED_CONSTRAINT]);
  });

  it("tells a stopped service from a running one", () => {
    expect(isStopped(service({ replicas: 0 }))).toBe(true);
    expect(isStopped(service({ replicas: 2 }))).toBe(false);
    expect(isStopped(service({ global: true }))).toBe(false);
    expect(isStopped({ Spec: stoppedSpec(service({ global: true }).Spec, 1) })).toBe(true);
  });

  it("a forced update bumps ForceUpdate", () => {
    expect(forcedSpec(forcedSpec(service().Spec)).TaskTemplate.ForceUpdate).toBe(2);
  });
});
