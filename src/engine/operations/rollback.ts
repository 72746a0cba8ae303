import { otherColor, type Color } from "../../domain/color.js";
import type { OperationContext } from "../context.js";
import { EngineError, errorMessage } from "../errors.js";
import type { StackStatus } from "../status-model.js";
import { readStatus } from "../status.js";
import { logsTail, startColor, stopColor, waitColorHealthy, waitProxyReaches } from "../steps.js";
import type { OperationOutcome } from "./outcome.js";
import { describeColor, flipTo } from "./switch.js";
import { prepareHooks, runHook, runPreHookNothingChanged } from "../release/hooks.js";

export type RollbackPreparation = "warm" | "start-stopped" | "recreate";

/** Pure: where a rollback goes and what it must do first. */
export function planRollback(status: StackStatus): { from: Color | null; to: Color; prepare: RollbackPreparation; version: string | null } {
  const from = status.active;
  const to = status.state?.previous && status.state.previous !== from ? status.state.previous : from ? otherColor(from) : null;
  if (!to) {
    throw new EngineError(
      "failed",
      "there is nothing to roll back to: no color is live and no previous color is recorded",
      "nothing was changed",
      "deploy a version with `bluegreen deploy --version V`",
    );
  }
  const slot = status.slots[to];
  const recorded = status.state?.versions[to] ?? null;
  const version = recorded ?? slot.version;
  // Containers holding another release than the recorded one (a failed deploy) are recreated.
  const sameRelease = recorded === null || slot.version === recorded;
  const prepare: RollbackPreparation = !sameRelease ? "recreate" : slot.healthy ? "warm" : slot.exists ? "start-stopped" : "recreate";
  return { from, to, prepare, version };
}

/** What serves live traffic while a rollback has not switched: true also when the live color is down or gone. */
export function liveNow(status: StackStatus, from: Color | null): string {
  if (!from) return "no color serves live traffic";
  const slot = status.slots[from];
  if (slot.healthy) return `${from} still serves live traffic`;
  return `the proxy still routes live traffic to ${describeColor(status, from)}, so live requests fail until a healthy color is switched in`;
}

export async function rollback(ctx: OperationContext): Promise<OperationOutcome> {
  const status = await ctx.phase("preflight", async () => {
    await prepareHooks(ctx);
    return readStatus(ctx.ports);
  });
  const plan = planRollback(status);
  const { from, to } = plan;
  const version = plan.version;
  ctx.subject = { from: { color: from, version: from ? status.slots[from].version : null }, to: { color: to, version } };
  if (plan.prepare !== "warm" && !version) {
    throw new EngineError(
      "failed",
      `${to} is not running and its version is unknown, so it cannot be recreated`,
      `nothing was changed; ${liveNow(status, from)}`,
      `deploy a known version with \`bluegreen deploy --version V\``,
    );
  }
  const prep =
    plan.prepare === "warm" ? `${to} is warm: switch at once` : plan.prepare === "start-stopped" ? `start the stopped ${to} (${version}), wait healthy, then switch` : `recreate ${to} at its recorded version ${version}, wait healthy, then switch`;
  const ok = await ctx.phase("confirm", () =>
    ctx.confirm({
      id: "rollback",
      question: `Roll back live traffic from ${from ?? "nothing"} to ${to}?`,
      facts: [
        ["now live", from ? describeColor(status, from) : "nothing"],
        ["roll back to", describeColor(status, to)],
        ["plan", prep],
      ],
      consequence: `every new request goes to ${to}`,
    }),
  );
  if (!ok) throw new EngineError("declined", "the rollback was not confirmed", `nothing was changed; ${liveNow(status, from)}`, "run again and confirm, or pass --yes");
  await runPreHookNothingChanged(ctx, "pre-rollback", `nothing was changed; ${liveNow(status, from)}`);

  if (plan.prepare !== "warm") {
    const v = version as string;
    try {
      await ctx.phase("start", () => startColor(ctx, to, v, { build: false, recreate: plan.prepare === "recreate" }), `starting ${to} (${v})`);
      await ctx.phase("health", () => waitColorHealthy(ctx, to), `waiting for ${to} to be healthy`);
    } catch (err) {
      const logs = await logsTail(ctx, to);
      await stopColor(ctx, to, 10_000).catch(() => undefined);
      throw new EngineError(
        "failed",
        `${to} (${v}) could not be brought back healthy: ${errorMessage(err)}\n${logs}`,
        `${liveNow(status, from)}; ${to} has been stopped`,
        "investigate the logs above; deploy a known-good version with `bluegreen deploy --version V`",
        { cause: err },
      );
    }
    try {
      await ctx.phase("preview", () => waitProxyReaches(ctx, to), `waiting until the proxy reaches ${to} through the preview route`);
    } catch (err) {
      await stopColor(ctx, to, 10_000).catch(() => undefined);
      throw new EngineError(
        "failed",
        `${to} (${v}) is healthy, but the proxy could not be pointed at it or did not reach it through the preview route, so live traffic was not switched: ${errorMessage(err)}`,
        `${liveNow(status, from)}; ${to} has been stopped`,
        "fix the proxy (see the message above and `bluegreen status`), then roll back again",
        { cause: err },
      );
    }
  } else {
    ctx.skip("start", `${to} is already running and healthy`);
  }
  // Re-read: the slot we just started must be seen healthy by the flip.
  const fresh = plan.prepare === "warm" ? status : await readStatus(ctx.ports);
  let flip: Awaited<ReturnType<typeof flipTo>>;
  try {
    flip = await flipTo(ctx, { ...fresh, active: from }, to, { warm: true });
  } catch (err) {
    // The proxy refused the switch (e.g. nginx -t failed): `from` still serves. A color this
    // rollback started must not be left running next to it, or the stack reports both-running.
    if (err instanceof EngineError) throw err;
    const now = await ctx.ports.proxy.liveTarget().catch(() => null);
    const stopped = now !== to && plan.prepare !== "warm" && (await stopColor(ctx, to, 10_000).then(() => true, () => false));
    throw new EngineError(
      "failed",
      `the proxy switch to ${to} failed: ${errorMessage(err)}`,
      `${now ?? "no color"} serves live traffic${stopped ? `; ${to} has been stopped again` : ""}`,
      "fix the proxy (see the message above and `bluegreen status`), then roll back again",
      { cause: err },
    );
  }
  const fromV = from ? status.slots[from].version : null;
  if (flip.verdict && !flip.verdict.ok) {
    return {
      outcome: flip.rolledBack ? "rolled-back" : "failed",
      message: `verification after the rollback failed: ${flip.reason}${flip.rolledBack ? `; switched back to ${from}` : ""}`,
      from: { color: from, version: fromV },
      to: { color: to, version },
      verify: flip.verdict,
      stateNow: flip.rolledBack ? `${from} serves live traffic again` : `${to} is live but failing verification`,
      nextStep: "deploy a known-good version",
    };
  }
  await runHook(ctx, "post-rollback", flip.verdict ? { verify: { ok: flip.verdict.ok, requests: flip.verdict.requests, failures: flip.verdict.failures } } : {});
  return {
    outcome: "success",
    message: `rolled back: ${to} (${version ?? "?"}) is live${from ? `; ${from} (${fromV ?? "?"}) stays running for inspection — \`bluegreen cleanup\` removes it` : ""}`,
    from: { color: from, version: fromV },
    to: { color: to, version },
    verify: flip.verdict,
  };
}
