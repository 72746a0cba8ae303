import { otherColor, type Color } from "../../domain/color.js";
import { platformFaultIn } from "../../domain/platform-fault.js";
import type { OperationContext } from "../context.js";
import { EngineError, errorMessage, isAbort } from "../errors.js";
import type { SmokeCheckSummary } from "../events.js";
import type { StackStatus } from "../status-model.js";
import { checkHealthGateBeforeDeploy } from "../health-gate.js";
import { readStatus } from "../status.js";
import {
  buildColor,
  describeKilled,
  drainColor,
  logsTail,
  startColor,
  stopColor,
  switchLive,
  upstreamPort,
  verifyLive,
  waitColorHealthy,
  waitProxyReaches,
  type LiveVerdict,
} from "../steps.js";
import type { OperationOutcome } from "./outcome.js";
import { noteFacts } from "../release/audit.js";
import { prepareHooks, runHook, runPreHookNothingChanged } from "../release/hooks.js";
import { MigrationFailed, runMigration } from "../release/migrate.js";

export interface DeployPlan {
  target: Color;
  from: Color | null;
  fromVersion: string | null;
  version: string;
  startShared: boolean;
  stopOld: boolean;
}

/** Pure: which color a deploy builds, and what it will stop. */
export function planDeploy(status: StackStatus, version: string, keepOldWarm: boolean): DeployPlan {
  const from = status.active;
  const target = from ? otherColor(from) : status.state?.active ? otherColor(status.state.active) : "blue";
  return {
    target,
    from,
    fromVersion: from ? status.slots[from].version : null,
    version,
    startShared: !status.proxy.container || status.proxy.container.state !== "running",
    stopOld: from !== null && !keepOldWarm,
  };
}

export function describePlan(plan: DeployPlan): string {
  const old = plan.from ? `${plan.from} (${plan.fromVersion ?? "unknown version"})` : "nothing (first deploy)";
  const after = plan.from ? (plan.stopOld ? `then drain and stop ${plan.from}` : `then keep ${plan.from} running warm for rollback`) : "";
  return `build and start ${plan.target} with version ${plan.version}, smoke-test it through the preview route, switch live traffic from ${old} to ${plan.target}, verify it, ${after}`.replace(/, $/, "");
}

/** The post-switch verdict against the release, thrown to mark the verify phase failed. */
class VerifyFailed extends Error {
  constructor(readonly verdict: LiveVerdict) {
    super(verdict.reason);
  }
}

export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** VERSION_PATTERN in words, for every message that refuses a version. */
export const VERSION_RULE = "use letters, digits, '.', '_' or '-' (at most 128, starting with a letter or digit)";

export async function deploy(ctx: OperationContext, args: { version: string }): Promise<OperationOutcome> {
  const { config, ports } = ctx;
  const version = args.version;
  if (!VERSION_PATTERN.test(version)) {
    throw new EngineError(
      "usage",
      `invalid version "${version}": ${VERSION_RULE}`,
      "nothing was changed",
      "run again with a valid --version",
    );
  }

  const status = await ctx.phase("preflight", async () => {
    await ports.smoke.validate();
    await prepareHooks(ctx);
    const s = await readStatus(ports);
    // A live color with no healthy container and nothing healthy to fall back to is exactly what a
    // deploy fixes (resolve has nothing to keep), so that conflict alone does not block it.
    const nothingHealthy = !s.slots.blue.healthy && !s.slots.green.healthy;
    // A dead proxy is what the shared phase restarts (planDeploy sees it is not running).
    const blocking = s.conflicts.filter((c) => !(c.kind === "proxy-target-unhealthy" && nothingHealthy) && c.kind !== "proxy-down");
    if (blocking.length > 0) {
      throw new EngineError(
        "conflict",
        `the stack has unresolved conflicts:\n${blocking.map((c) => `  - ${c.kind}: ${c.message}`).join("\n")}`,
        `nothing was changed; the proxy routes to ${s.active ?? "nothing"}`,
        "run `bluegreen resolve` (it recommends which color to keep), then deploy again",
      );
    }
    if (s.active) await checkHealthGateBeforeDeploy(ctx, planDeploy(s, version, config.keepOldWarm).target, s.slots[s.active].containers);
    return s;
  });
  let plan = planDeploy(status, version, config.keepOldWarm);
  ctx.log("info", `plan: ${describePlan(plan)}`);
  ctx.subject = { from: { color: plan.from, version: plan.fromVersion }, to: { color: plan.target, version } };

  if (plan.startShared) {
    await ctx.phase("shared", () => ports.platform.start("shared", { build: true, signal: ctx.signal, onLine: ctx.platformLine }), "starting the shared services (proxy, datastore)");
    // A restarted proxy keeps its saved routing: the running color it serves is the one this deploy replaces.
    const live = await ports.proxy.liveTarget().catch(() => null);
    if (live && live !== plan.from && status.slots[live].running) {
      plan = planDeploy({ ...status, active: live }, version, config.keepOldWarm);
      ctx.log("info", `the proxy routes live to ${live}; plan: ${describePlan(plan)}`);
    }
  } else {
    ctx.skip("shared", "shared services already running");
  }
  ctx.subject = { from: { color: plan.from, version: plan.fromVersion }, to: { color: plan.target, version } };
  const oldServes = plan.from ? `${plan.from} (${plan.fromVersion ?? "?"}) still serves all live traffic` : "no color was serving live traffic";
  await runPreHookNothingChanged(ctx, "pre-deploy", `nothing was built or started; ${oldServes}`);

  /** Everything before the switch fails the same way: stop the new color, leave the old one serving. */
  const failBeforeSwitch = async (what: string, during: string, err: unknown, withLogs: boolean): Promise<never> => {
    const aborted = isAbort(err, ctx.signal);
    const logs = withLogs ? `\n${await logsTail(ctx, plan.target)}` : "";
    const stopped = await stopColor(ctx, plan.target, 10_000).then(
      () => `${plan.target} has been stopped`,
      (e: unknown) => {
        ctx.log("warn", `could not stop ${plan.target}: ${errorMessage(e)}`);
        return `${plan.target} could not be stopped (see the warning above) and takes no live traffic`;
      },
    );
    if (err instanceof EngineError && err.kind !== "failed") throw err;
    // The platform failed under the release (a node lost): its own advice, not "fix the release".
    const fault = platformFaultIn(err);
    throw new EngineError(
      aborted ? "aborted" : "failed",
      aborted ? `interrupted during ${during}` : `${what}: ${errorMessage(err)}${logs}`,
      `${oldServes}; ${stopped}`,
      aborted ? "deploy again when ready" : fault ? fault.nextStep : `fix the release and deploy again (its containers are kept stopped: docker logs ${config.stack}-${plan.target}…)`,
      { cause: err },
    );
  };

  try {
    await ctx.phase("build", () => buildColor(ctx, plan.target, version), `building ${plan.target} ${version}`);
    ctx.checkAborted(oldServes, "deploy again when ready");
    await runHook(ctx, "post-build");
    // Expand before the new release starts: the old one keeps serving on the migrated schema.
    await runMigration(ctx, "expand", plan.target, version);
    ctx.checkAborted(oldServes, "deploy again when ready");
    await ctx.phase("start", () => startColor(ctx, plan.target, version, { build: false, recreate: true }), `starting ${plan.target}`);
    ctx.checkAborted(oldServes, "deploy again when ready");
  } catch (err) {
    if (err instanceof MigrationFailed) return failBeforeSwitch(`the migration failed, so ${plan.target} ${version} was not started`, `the migration for ${version}`, err, false);
    return failBeforeSwitch(`${plan.target} ${version} could not be built or started`, `the build and start of ${plan.target} ${version}`, err, false);
  }

  try {
    await ctx.phase("health", () => waitColorHealthy(ctx, plan.target), `waiting up to ${Math.round(config.health.timeoutMs / 1000)} s for ${plan.target} to be healthy`);
  } catch (err) {
    return failBeforeSwitch(`${plan.target} ${version} did not become healthy`, `the health wait for ${plan.target} ${version}`, err, true);
  }

  let smoke: { ok: boolean; checks: SmokeCheckSummary[] } | null = null;
  try {
    await ctx.phase("preview", () => waitProxyReaches(ctx, plan.target), `pointing the preview route at ${plan.target} until the proxy reaches it`);
    if (config.smoke.spec) {
      smoke = await ctx.phase("smoke", async () => {
        const result = await ports.smoke.run(config.proxy.previewUrl, {
          expectVersion: version,
          expectColor: plan.target,
          signal: ctx.signal,
          onCheck: (check) => ctx.emit({ type: "smoke-check", check }),
        });
        if (!result.ok) {
          const failed = result.checks.filter((c) => !c.ok);
          throw new Error(`${failed.length} of ${result.checks.length} smoke checks failed:\n${failed.map((c) => `  ✗ ${c.name}: ${c.detail}`).join("\n")}`);
        }
        return result;
      });
      noteFacts(ctx, { smoke: { ok: smoke.ok, checks: smoke.checks.length, failed: smoke.checks.filter((c) => !c.ok).length } });
    } else {
      ctx.skip("smoke", "no smoke spec configured");
    }
  } catch (err) {
    return failBeforeSwitch(`${plan.target} ${version} failed its smoke test`, `the smoke test of ${plan.target} ${version}`, err, false);
  }

  // A confirmer that throws (no terminal to ask) counts as "no": the new color must still be stopped.
  const confirmed = await ctx.phase("confirm", () =>
    ctx.confirm({
      id: "deploy-switch",
      question: `Switch live traffic to ${plan.target} (${version})?`,
      facts: [
        ["now live", plan.from ? `${plan.from} (${plan.fromVersion ?? "?"})` : "nothing"],
        ["standby", `${plan.target} (${version}), healthy`],
        ["smoke", smoke ? `${smoke.checks.filter((c) => c.ok).length}/${smoke.checks.length} checks passed through the preview route` : "not configured"],
        ["after", plan.from ? (plan.stopOld ? `drain and stop ${plan.from}` : `keep ${plan.from} warm`) : "-"],
      ],
      consequence: `the proxy sends every new request to ${plan.target}`,
    }),
  ).catch((err: unknown) => {
    ctx.log("warn", errorMessage(err));
    return false;
  });
  if (!confirmed || ctx.signal.aborted) {
    await stopColor(ctx, plan.target, 10_000).catch(() => undefined);
    throw new EngineError(
      ctx.signal.aborted ? "aborted" : "declined",
      ctx.signal.aborted ? "interrupted before the switch" : "the switch was not confirmed",
      `${oldServes}; ${plan.target} has been stopped`,
      "deploy again when ready (add --yes to skip the question in pipelines)",
    );
  }

  await runHook(ctx, "pre-switch").catch((err: unknown) => failBeforeSwitch("the pre-switch hook stopped the deploy before the switch", "the pre-switch hook", err, false));

  const versions = { ...(status.state?.versions ?? {}), ...(plan.from && plan.fromVersion ? { [plan.from]: plan.fromVersion } : {}), [plan.target]: version };
  try {
    await ctx.phase("switch", () => switchLive(ctx, plan.target, plan.from, versions, plan.from !== null), `switching live traffic to ${plan.target}`);
  } catch (err) {
    // The proxy refused or did not confirm: read what it really does and leave the old color serving.
    // Point it back at the old color whatever it answers: a read right after a reload can come from an
    // old nginx worker while the new ones already route to plan.target, which is about to be stopped.
    if (plan.from) await ports.proxy.switchLive(plan.from).catch(() => undefined);
    await stopColor(ctx, plan.target, 10_000).catch(() => undefined);
    throw new EngineError(
      "failed",
      `the proxy switch to ${plan.target} failed: ${errorMessage(err)}`,
      `${oldServes}; ${plan.target} has been stopped`,
      "check the proxy (`bluegreen status`), then deploy again",
      { cause: err },
    );
  }

  let verdict: LiveVerdict | null = null;
  if (config.verify.durationMs > 0) {
    // A verdict against the release fails the verify phase (its event, the checklist, the result's
    // phases and the history all say so); the switch back is the next phase.
    verdict = await ctx
      .phase("verify", async () => {
        const v = await verifyLive(ctx, plan.target);
        if (!v.ok) throw new VerifyFailed(v);
        return v;
      }, `requests through the live route for ${config.verify.durationMs} ms`)
      .catch((err: unknown): LiveVerdict => (err instanceof VerifyFailed ? err.verdict : { ok: false, requests: 0, failures: 0, reason: errorMessage(err) }));
    if (!verdict.ok) {
      if (plan.from && status.slots[plan.from].healthy) {
        // plan.target's containers now hold the failed release: record what it held before, so a
        // later rollback never returns to the release that was just rolled back.
        const before = status.state?.versions[plan.target];
        const restored = { ...versions };
        if (before) restored[plan.target] = before;
        else delete restored[plan.target];
        await ctx.phase("rollback-switch", () => switchLive(ctx, plan.from as Color, before ? plan.target : null, restored, false), `switching back to ${plan.from}`);
        const logs = await logsTail(ctx, plan.target);
        await stopColor(ctx, plan.target, 10_000).catch(() => undefined);
        return {
          outcome: "rolled-back",
          message: `verification through the live route failed after the switch (${verdict.reason}); switched back to ${plan.from} at once\n${logs}`,
          from: { color: plan.from, version: plan.fromVersion },
          to: { color: plan.target, version },
          smoke,
          verify: verdict,
          stateNow: `${plan.from} (${plan.fromVersion ?? "?"}) serves all live traffic again; ${plan.target} has been stopped`,
          nextStep: "fix the release and deploy again",
        };
      }
      throw new EngineError(
        "failed",
        `verification through the live route failed after the switch: ${verdict.reason}`,
        `${plan.target} (${version}) is live and there is no healthy previous color to switch back to`,
        "deploy a working version",
      );
    }
  } else {
    ctx.skip("verify", "verify.duration is 0");
  }

  await runHook(ctx, "post-switch", verdict ? { verify: { ok: verdict.ok, requests: verdict.requests, failures: verdict.failures } } : {});

  if (ctx.signal.aborted) {
    throw new EngineError(
      "aborted",
      `interrupted after the switch: ${plan.target} (${version}) is live`,
      `${plan.target} (${version}) serves live traffic${plan.from ? `; ${plan.from} (${plan.fromVersion ?? "?"}) is still running warm` : ""}`,
      plan.from ? "run `bluegreen rollback` to switch back at once, or `bluegreen cleanup` to remove the old color" : "run `bluegreen status`",
    );
  }

  let stopNote = "";
  if (plan.from && plan.stopOld) {
    const from = plan.from;
    const drained = await ctx.phase("drain", () => drainColor(ctx, from, upstreamPort(config.proxy.upstream)), `draining ${from} (up to ${Math.round(config.drain.timeoutMs / 1000)} s)`);
    if (!drained.drained) ctx.log("warn", `${from} still had ${drained.left} open connections after the drain timeout; stopping it closes them (WebSockets get 1001)`);
    const stopped = await ctx.phase("stop", () => stopColor(ctx, from), `stopping ${from}`);
    if (stopped.killed.length > 0) stopNote = `; ${describeKilled(from, stopped)}`;
    await ports.state.write({ active: plan.target, previous: from, versions, warm: false });
    await contractAfterStop(ctx, plan, version);
  } else if (plan.from) {
    ctx.skip("drain", `${plan.from} is kept warm for instant rollback`);
    ctx.skip("stop", `${plan.from} is kept warm for instant rollback`);
    if (config.migrate?.contract) ctx.skip("contract", `${plan.from} is kept warm (it may still need the old schema): run \`bluegreen cleanup\`, then \`bluegreen migrate --contract\``);
  }
  await runHook(ctx, "post-deploy", { outcome: "success" });

  return {
    outcome: "success",
    message: `${plan.target} (${version}) is live${plan.from ? `; ${plan.from} (${plan.fromVersion ?? "?"}) ${plan.stopOld ? "was drained and stopped" : "is kept warm for rollback"}` : ""}${stopNote}`,
    from: { color: plan.from, version: plan.fromVersion },
    to: { color: plan.target, version },
    smoke,
    verify: verdict,
  };
}

/**
 * The opt-in contract step once the old color is stopped. A failure is the deploy's outcome (exit 1,
 * on-failure hook, no post-deploy) but nothing is undone: the new release is live and works on the
 * expanded schema, and switching back would not repair a contract step.
 */
async function contractAfterStop(ctx: OperationContext, plan: DeployPlan, version: string): Promise<void> {
  try {
    await runMigration(ctx, "contract", plan.target, version);
  } catch (err) {
    const aborted = isAbort(err, ctx.signal);
    const old = plan.from ? `; ${plan.from} (${plan.fromVersion ?? "?"}) was drained and stopped` : "";
    throw new EngineError(
      aborted ? "aborted" : "failed",
      `${plan.target} (${version}) went live, then the contract step failed: ${errorMessage(err)}`,
      `${plan.target} (${version}) is live and serves all traffic${old}; nothing was rolled back. ` +
        "The schema is as the failed contract step left it (unchanged when the step runs in one transaction, as the demo's does)",
      "fix the contract step (its output is above), then run `bluegreen migrate --contract`: the release itself needs no new deploy",
      { cause: err },
    );
  }
}
