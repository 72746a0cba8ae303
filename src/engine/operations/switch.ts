import { otherColor, type Color } from "../../domain/color.js";
import type { OperationContext } from "../context.js";
import { EngineError, errorMessage } from "../errors.js";
import type { StackStatus } from "../status-model.js";
import { readStatus } from "../status.js";
import { logsTail, switchLive, verifyLive, type LiveVerdict } from "../steps.js";
import { prepareHooks, runHook, runPreHookNothingChanged } from "../release/hooks.js";
import type { OperationOutcome } from "./outcome.js";

export function describeColor(status: StackStatus, color: Color): string {
  const slot = status.slots[color];
  return `${color} (${slot.version ?? "?"}, ${slot.healthy ? "healthy" : slot.running ? "running, NOT healthy" : slot.exists ? "stopped" : "absent"})`;
}

/**
 * Flips live traffic to `to` (already running and healthy), verifies through the live route and
 * switches straight back when verification fails. Shared by switch, rollback and resolve.
 */
export async function flipTo(
  ctx: OperationContext,
  status: StackStatus,
  to: Color,
  opts: { warm: boolean },
): Promise<{ verdict: LiveVerdict | null; rolledBack: boolean; reason: string }> {
  const from = status.active;
  const versions = { ...(status.state?.versions ?? {}) };
  for (const c of ["blue", "green"] as const) {
    const v = status.slots[c].version;
    if (v) versions[c] = v;
  }
  await ctx.phase("switch", () => switchLive(ctx, to, from, versions, opts.warm), `switching live traffic to ${to}`);
  if (ctx.config.verify.durationMs <= 0) {
    ctx.skip("verify", "verify.duration is 0");
    return { verdict: null, rolledBack: false, reason: "" };
  }
  const verdict = await ctx
    .phase("verify", () => verifyLive(ctx, to), `requests through the live route for ${ctx.config.verify.durationMs} ms`)
    .catch((err: unknown): LiveVerdict => ({ ok: false, requests: 0, failures: 0, reason: errorMessage(err) }));
  if (verdict.ok) return { verdict, rolledBack: false, reason: verdict.reason };
  if (from && status.slots[from].healthy) {
    await ctx.phase("rollback-switch", () => switchLive(ctx, from, to, versions, true), `switching back to ${from}`);
    return { verdict, rolledBack: true, reason: `${verdict.reason}\n${await logsTail(ctx, to)}` };
  }
  return { verdict, rolledBack: false, reason: verdict.reason };
}

export async function switchColors(ctx: OperationContext): Promise<OperationOutcome> {
  const status = await ctx.phase("preflight", async () => {
    await prepareHooks(ctx);
    return readStatus(ctx.ports);
  });
  const from = status.active;
  if (!from) {
    throw new EngineError(
      "conflict",
      `the proxy routes to no color (${status.proxy.detail})`,
      "nothing was changed",
      "run `bluegreen status`; deploy a version or `bluegreen resolve --keep blue|green`",
    );
  }
  const to = otherColor(from);
  ctx.subject = { from: { color: from, version: status.slots[from].version }, to: { color: to, version: status.slots[to].version } };
  if (!status.slots[to].healthy) {
    throw new EngineError(
      "failed",
      `cannot switch to ${describeColor(status, to)}: switch only flips between two running, healthy colors`,
      `nothing was changed; ${describeColor(status, from)} serves live traffic`,
      status.slots[to].exists ? "use `bluegreen rollback` (it starts a stopped color) or deploy" : `deploy a version to ${to} with \`bluegreen deploy --version V\``,
    );
  }
  const ok = await ctx.phase("confirm", () =>
    ctx.confirm({
      id: "switch",
      question: `Switch live traffic from ${from} to ${to}?`,
      facts: [
        ["now live", describeColor(status, from)],
        ["switch to", describeColor(status, to)],
        ["proxy", `${status.proxy.driver}`],
      ],
      consequence: `every new request goes to ${to}; ${from} stays running`,
    }),
  );
  if (!ok) throw new EngineError("declined", "the switch was not confirmed", `nothing was changed; ${from} serves live traffic`, "run again and confirm, or pass --yes");

  await runPreHookNothingChanged(ctx, "pre-switch", `nothing was changed; ${from} serves live traffic`);
  const flip = await flipTo(ctx, status, to, { warm: true });
  await runHook(ctx, "post-switch", flip.verdict ? { verify: { ok: flip.verdict.ok, requests: flip.verdict.requests, failures: flip.verdict.failures } } : {});
  const fromV = status.slots[from].version;
  const toV = status.slots[to].version;
  if (flip.verdict && !flip.verdict.ok) {
    return {
      outcome: flip.rolledBack ? "rolled-back" : "failed",
      message: `verification after the switch failed: ${flip.reason}${flip.rolledBack ? `; switched back to ${from}` : ""}`,
      from: { color: from, version: fromV },
      to: { color: to, version: toV },
      verify: flip.verdict,
      stateNow: flip.rolledBack ? `${from} serves live traffic again` : `${to} is live but failing verification`,
      nextStep: flip.rolledBack ? `investigate ${to} (docker logs), then deploy a fix` : "deploy a working version",
    };
  }
  return {
    outcome: "success",
    message: `${to} (${toV ?? "?"}) is live; ${from} (${fromV ?? "?"}) stays running warm`,
    from: { color: from, version: fromV },
    to: { color: to, version: toV },
    verify: flip.verdict,
  };
}
