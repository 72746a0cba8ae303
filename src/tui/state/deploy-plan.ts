import type { Color } from "../../domain/color.js";
import { planDeploy } from "../../engine/operations/deploy.js";
import type { StackStatus } from "../../engine/status-model.js";

export interface DeployPreview {
  target: Color;
  /** What will happen, in order, as the operator reads it before confirming. */
  steps: string[];
  /** Reasons the engine will refuse; the operator should fix these first. */
  blockers: string[];
}

/** Pure: the deploy as the dashboard sees it now (the engine re-checks everything when it runs). */
export function previewDeploy(status: StackStatus, version: string): DeployPreview {
  // The engine's own rule: the preview names the color the deploy will really build.
  const { target, from: live } = planDeploy(status, version, false);
  const slot = status.slots[target];
  const steps: string[] = [];
  if (slot.exists) {
    const names = slot.containers.map((c) => c.name).join(", ");
    steps.push(`replace ${target} (${slot.version ?? "unknown version"}, ${slot.running ? "running" : "stopped"}): ${names} will be recreated`);
  }
  steps.push(`build and start ${target} ${version}, wait until healthy, smoke-test it on the preview route`);
  if (live) {
    steps.push(`${live} (${status.slots[live].version ?? "?"}) keeps serving live traffic until you confirm the switch`);
    steps.push(`after the switch: verify ${target}, then ${live} drains and stops (or stays warm for instant rollback)`);
  } else {
    steps.push(`nothing serves live traffic yet: the switch makes ${target} live`);
  }
  const blockers: string[] = [];
  if (status.conflicts.length > 0) blockers.push(`the stack has conflicts (${status.conflicts.map((c) => c.kind).join(", ")}): resolve them first with x`);
  if (status.lock && !status.lock.stale) blockers.push(`${status.lock.user}@${status.lock.host} holds the lock (\`${status.lock.command}\`): wait for it to finish`);
  return { target, steps, blockers };
}
