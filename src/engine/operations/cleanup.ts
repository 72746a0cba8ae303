import { otherColor } from "../../domain/color.js";
import type { OperationContext } from "../context.js";
import { EngineError } from "../errors.js";
import { readStatus } from "../status.js";
import type { OperationOutcome } from "./outcome.js";
import { describeColor } from "./switch.js";

/** Removes the inactive color's containers. Never touches the color the proxy routes to. */
export async function cleanup(ctx: OperationContext): Promise<OperationOutcome> {
  const status = await ctx.phase("preflight", () => readStatus(ctx.ports));
  const active = status.active;
  if (!active) {
    throw new EngineError(
      "conflict",
      `the proxy routes to no known color (${status.proxy.detail}), so cleanup cannot tell which color is safe to remove`,
      "nothing was changed",
      "run `bluegreen status`, then `bluegreen resolve --keep blue|green`",
    );
  }
  const inactive = otherColor(active);
  if (!status.slots[active].healthy) {
    throw new EngineError(
      "conflict",
      `the live color ${describeColor(status, active)} is not healthy, so ${inactive} may be needed to recover; cleanup removes nothing`,
      "nothing was changed",
      "run `bluegreen resolve` (it recommends which color to keep) or `bluegreen rollback`, then clean up",
    );
  }
  const slot = status.slots[inactive];
  // After a refused or rolled-back deploy the containers hold the failed release while the state file
  // still records the last good one: a rollback must recreate the recorded release, never the failed one.
  const rollbackVersion = status.state?.versions[inactive] ?? slot.version;
  if (!slot.exists) {
    ctx.skip("cleanup", `${inactive} has no containers`);
    return { outcome: "noop", message: `nothing to clean up: ${inactive} has no containers; ${active} is live`, from: { color: active, version: status.slots[active].version }, to: { color: active, version: status.slots[active].version } };
  }
  const ok = await ctx.phase("confirm", () =>
    ctx.confirm({
      id: "cleanup",
      question: `Remove the inactive color ${inactive}?`,
      facts: [
        ["live (kept)", describeColor(status, active)],
        ["remove", `${describeColor(status, inactive)}: ${slot.containers.map((c) => c.name).join(", ")}`],
      ],
      consequence: `${inactive}'s containers are removed; rolling back to it will recreate version ${rollbackVersion ?? "?"}`,
    }),
  );
  if (!ok) throw new EngineError("declined", "cleanup was not confirmed", "nothing was changed", "run again and confirm, or pass --yes");
  await ctx.phase("cleanup", () => ctx.ports.platform.remove(inactive), `removing ${inactive}`);
  const state = status.state;
  const versions = { ...(state?.versions ?? {}) };
  if (rollbackVersion) versions[inactive] = rollbackVersion;
  await ctx.ports.state.write({ active, previous: state?.previous ?? inactive, versions, warm: false });
  return {
    outcome: "success",
    message: `${inactive} removed; ${active} (${status.slots[active].version ?? "?"}) is live`,
    from: { color: inactive, version: slot.version },
    to: { color: active, version: status.slots[active].version },
  };
}
