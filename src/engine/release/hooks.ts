import type { OperationContext } from "../context.js";
import { EngineError, errorMessage } from "../errors.js";
import { RECORDED_OUTPUT_LINES, type HookPoint, type HookRun } from "../ports.js";
import { auditOf, noteFacts, type ReleaseFacts } from "./audit.js";

/** A pre-* hook that failed or timed out: the operation stops; `message` carries its last output. */
export class HookFailed extends Error {
  constructor(
    readonly run: HookRun,
    message: string,
  ) {
    super(message);
    this.name = "HookFailed";
  }
}

/** Checks the hooks directory and notes which hooks exist; call in an operation's preflight. */
export async function prepareHooks(ctx: OperationContext): Promise<void> {
  const hooks = ctx.ports.hooks;
  auditOf(ctx).present = new Set(hooks ? await hooks.validate() : []);
}

/** Pure: the environment a hook runs with (only known facts are set). */
export function hookEnvironment(ctx: OperationContext, point: HookPoint, facts: ReleaseFacts): Record<string, string> {
  const { config, ports, subject } = ctx;
  const env: Record<string, string> = {
    BLUEGREEN_STACK: config.stack,
    BLUEGREEN_OPERATION: ctx.lockCommand.split(" ")[0] ?? "",
    BLUEGREEN_COMMAND: ctx.lockCommand,
    BLUEGREEN_PHASE: point,
    BLUEGREEN_USER: ports.identity.user,
    BLUEGREEN_HOST: ports.identity.host,
    BLUEGREEN_CONFIG: config.file,
    BLUEGREEN_LIVE_URL: config.proxy.liveUrl,
    BLUEGREEN_PREVIEW_URL: config.proxy.previewUrl,
  };
  const set = (name: string, value: string | null | undefined): void => {
    if (value !== null && value !== undefined) env[name] = value;
  };
  set("BLUEGREEN_FROM_COLOR", subject.from.color);
  set("BLUEGREEN_FROM_VERSION", subject.from.version);
  set("BLUEGREEN_TO_COLOR", subject.to.color);
  set("BLUEGREEN_TO_VERSION", subject.to.version);
  if (facts.smoke) {
    set("BLUEGREEN_SMOKE_OK", String(facts.smoke.ok));
    set("BLUEGREEN_SMOKE", `${facts.smoke.checks - facts.smoke.failed}/${facts.smoke.checks} checks passed`);
  }
  if (facts.verify) {
    set("BLUEGREEN_VERIFY_OK", String(facts.verify.ok));
    set("BLUEGREEN_VERIFY", `${facts.verify.requests} requests, ${facts.verify.failures} failed`);
  }
  if (facts.migrate) set("BLUEGREEN_MIGRATE_OK", String(facts.migrate.ok));
  set("BLUEGREEN_OUTCOME", facts.outcome);
  set("BLUEGREEN_ERROR", facts.error);
  set("BLUEGREEN_FAILED_PHASE", facts.failedPhase);
  return env;
}

function describeRun(run: HookRun, timeoutMs: number): string {
  const how = run.spawnError
    ? `could not be started (${run.spawnError})`
    : run.timedOut
      ? `timed out after ${Math.round(timeoutMs / 1000)} s (hooks.timeout); its process group was killed`
      : `exited with ${run.exitCode ?? "a signal"} after ${run.durationMs} ms`;
  const tail = run.tail.length > 0 ? `; its last output:\n${run.tail.map((l) => `  | ${l}`).join("\n")}` : "; it printed nothing";
  return `the ${run.point} hook (${run.path}) ${how}${tail}`;
}

/**
 * Runs the hook at `point` as a phase `hook:<point>` when it exists. A failing pre-* hook throws
 * HookFailed (the caller stops the operation safely); a failing post-* or on-failure hook is reported
 * as a failed phase and a warning, and the operation goes on. Returns null when no hook exists.
 */
export async function runHook(ctx: OperationContext, point: HookPoint, facts: ReleaseFacts = {}): Promise<HookRun | null> {
  const hooks = ctx.ports.hooks;
  const audit = auditOf(ctx);
  if (!hooks || !ctx.config.hooks) return null;
  if (audit.present === null) await prepareHooks(ctx);
  if (!audit.present?.has(point)) return null;
  noteFacts(ctx, facts);
  const timeoutMs = ctx.config.hooks.timeoutMs;
  const env = hookEnvironment(ctx, point, audit.facts);
  const blocking = point.startsWith("pre-");
  let ran: HookRun | null = null;
  try {
    await ctx.phase(
      `hook:${point}`,
      async () => {
        ran = await hooks.run(point, env, { timeoutMs, signal: ctx.signal, onLine: (line) => ctx.emit({ type: "output", source: "hook", line: `${point}: ${line}` }) });
        if (!ran) return;
        if (ran.exitCode !== 0) throw new HookFailed(ran, describeRun(ran, timeoutMs));
      },
      `running the ${point} hook (up to ${Math.round(timeoutMs / 1000)} s)`,
    );
  } catch (err) {
    if (blocking) throw err;
    ctx.log("warn", `${errorMessage(err)}\nThe operation went on: a ${point} hook does not change the stack.`);
  } finally {
    const r = ran as HookRun | null;
    if (r) {
      const ok = r.exitCode === 0;
      const output = ok ? [] : r.tail.slice(-RECORDED_OUTPUT_LINES);
      audit.hooks.push({ point, ok, exitCode: r.exitCode, timedOut: r.timedOut, ms: r.durationMs, ...(output.length > 0 ? { output } : {}) });
    }
  }
  return ran;
}

/** Runs a pre-* hook before anything changed: a failure stops the operation with nothing changed. */
export async function runPreHookNothingChanged(ctx: OperationContext, point: HookPoint, stateNow: string, facts: ReleaseFacts = {}): Promise<void> {
  try {
    await runHook(ctx, point, facts);
  } catch (err) {
    if (!(err instanceof HookFailed)) throw err;
    throw new EngineError(
      ctx.signal.aborted ? "aborted" : "failed",
      `${err.message}\nThe ${point} hook stopped the operation.`,
      stateNow,
      `fix what the hook reports (or the hook in ${ctx.config.hooks?.dir ?? "the hooks directory"}) and run again`,
      { cause: err },
    );
  }
}
