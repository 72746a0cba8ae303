import type { Color } from "../domain/color.js";
import { LOCK_LOST_NEXT_STEP, OperationContext, type OperationHandlers } from "./context.js";
import { EngineError, errorMessage, isAbort, LockLostError } from "./errors.js";
import { describeStackNow, lockGuardedPorts } from "./lock-guard.js";
import type { OperationName, OperationResult } from "./events.js";
import { cleanup } from "./operations/cleanup.js";
import { deploy } from "./operations/deploy.js";
import type { OperationOutcome } from "./operations/outcome.js";
import { resolve } from "./operations/resolve.js";
import { rollback } from "./operations/rollback.js";
import { down, rolloutShared, up } from "./operations/stack.js";
import { switchColors } from "./operations/switch.js";
import { migrate } from "./operations/migrate.js";
import { auditOf } from "./release/audit.js";
import { runHook } from "./release/hooks.js";
import type { Ports } from "./ports.js";
import type { StackStatus } from "./status-model.js";
import { readDegraded, readStatus } from "./status.js";
import { createMasker } from "../security/index.js";

/**
 * The deployment engine: every operation an operator runs, with no UI. Adapters come in as `ports`;
 * progress goes out as events; confirmations come back through `handlers.confirm`.
 */
export class Engine {
  constructor(readonly ports: Ports) {}

  status(): Promise<StackStatus> {
    return readStatus(this.ports);
  }

  deploy(args: { version: string }, handlers: OperationHandlers): Promise<OperationResult> {
    return this.run("deploy", { version: args.version }, handlers, (ctx) => deploy(ctx, args));
  }

  switch(handlers: OperationHandlers): Promise<OperationResult> {
    return this.run("switch", {}, handlers, (ctx) => switchColors(ctx));
  }

  rollback(handlers: OperationHandlers): Promise<OperationResult> {
    return this.run("rollback", {}, handlers, (ctx) => rollback(ctx));
  }

  cleanup(handlers: OperationHandlers): Promise<OperationResult> {
    return this.run("cleanup", {}, handlers, (ctx) => cleanup(ctx));
  }

  resolve(args: { keep: Color | null }, handlers: OperationHandlers): Promise<OperationResult> {
    return this.run("resolve", { keep: args.keep }, handlers, (ctx) => resolve(ctx, args));
  }

  /** The configured migration on its own (expand, or with contract: true the contract step). */
  migrate(args: { contract: boolean }, handlers: OperationHandlers): Promise<OperationResult> {
    return this.run("migrate", { contract: args.contract }, handlers, (ctx) => migrate(ctx, args));
  }

  /** The shared services and the recorded live color (blue on a fresh stack), the proxy pointed at it. */
  up(args: { version: string | null }, handlers: OperationHandlers): Promise<OperationResult> {
    return this.run("up", { version: args.version }, handlers, (ctx) => up(ctx, args));
  }

  /** Every project of the stack down; the state keeps what was live for the next `up`. */
  down(args: { volumes: boolean }, handlers: OperationHandlers): Promise<OperationResult> {
    return this.run("down", { volumes: args.volumes }, handlers, (ctx) => down(ctx, args));
  }

  /** Roll out a change to one shared service (restart = recreate; reload = the proxy in place), keeping the routing. */
  shared(args: { service: string; mode: "restart" | "reload" }, handlers: OperationHandlers): Promise<OperationResult> {
    return this.run("shared", { service: args.service, mode: args.mode }, handlers, (ctx) => rolloutShared(ctx, args));
  }

  /**
   * Runs one mutating operation under the stack's lock, turns every failure into a result that
   * says what happened, what state the stack is in and what to do, and records it in the history.
   */
  private async run(
    operation: OperationName,
    args: Record<string, string | boolean | null>,
    rawHandlers: OperationHandlers,
    body: (ctx: OperationContext) => Promise<OperationOutcome>,
  ): Promise<OperationResult> {
    const { ports } = this;
    // Compose output, container log tails and health output are external text: secret values of the
    // environment (and of the config's env) never leave the engine unmasked, in events or history.
    const masker = createMasker(process.env, ports.config.env);
    // A lost lock aborts the operation's signal (waits end at once) and makes every further change
    // to containers, traffic or state throw (lockGuardedPorts).
    const lockLost = new AbortController();
    let lostError: LockLostError | null = null;
    const emit = (event: Parameters<OperationHandlers["emit"]>[0]) => rawHandlers.emit(masker.deep(event));
    const handlers: OperationHandlers = { ...rawHandlers, emit, signal: AbortSignal.any([rawHandlers.signal, lockLost.signal]) };
    const ctx = new OperationContext(
      lockGuardedPorts(ports, () => lostError),
      handlers,
    );
    const onLost = (reason: Error): void => {
      lostError = new LockLostError(reason);
      emit({ type: "log", level: "error", message: lostError.message });
      lockLost.abort(lostError);
    };
    const command = [operation, ...Object.entries(args).filter(([, v]) => v !== null && v !== false).map(([k, v]) => (v === true ? `--${k}` : `--${k} ${String(v)}`))].join(" ");
    handlers.emit({ type: "operation", operation, status: "start", args });

    let outcome: OperationOutcome;
    let error: EngineError | null = null;
    try {
      await ports.platform.ping();
      // Held for the whole operation. resolve replaces a stale lock with its own in one atomic step.
      ctx.lock = await ports.lock.acquire(command, { takeOverStale: operation === "resolve", onLost });
      ctx.lockCommand = command;
      outcome = await body(ctx);
      if (lostError) throw lostError;
    } catch (err) {
      error = lostError
        ? new EngineError("failed", (lostError as LockLostError).message, await describeStackNow(ports), LOCK_LOST_NEXT_STEP, { cause: err })
        : err instanceof EngineError
          ? err
          : isAbort(err, handlers.signal)
            ? new EngineError("aborted", "interrupted by the operator", "see `bluegreen status`", "run `bluegreen status`, then `bluegreen resolve` if it reports a conflict", { cause: err })
            : new EngineError("failed", errorMessage(err), "unknown: the operation stopped on an unexpected error", "run `bluegreen status` to see the stack, then `bluegreen resolve` if it reports a conflict", { cause: err });
      outcome = {
        outcome: error.kind === "declined" ? "declined" : error.kind === "aborted" ? "aborted" : "failed",
        message: error.message,
        from: ctx.subject.from,
        to: ctx.subject.to,
        stateNow: error.stateNow,
        nextStep: error.nextStep,
      };
    }

    if (outcome.outcome === "failed" || outcome.outcome === "rolled-back" || outcome.outcome === "aborted") {
      // The lock is still held: the operator's on-failure hook sees the stack as the failure left it.
      if (!error || (error.kind !== "locked" && error.kind !== "usage")) {
        const failedPhase = [...ctx.phases].reverse().find((p) => p.status === "failed")?.phase;
        await runHook(ctx, "on-failure", { outcome: outcome.outcome, error: outcome.message, ...(failedPhase ? { failedPhase } : {}) }).catch(() => null);
      }
    }

    const [{ active, activeNote }, degraded] = await Promise.all([finalLive(ports), readDegraded(ports)]);
    const result: OperationResult = masker.deep({
      operation,
      outcome: outcome.outcome,
      message: outcome.message,
      active,
      ...(activeNote ? { activeNote } : {}),
      from: outcome.from,
      to: outcome.to,
      phases: ctx.phases,
      durationMs: ports.clock.now() - ctx.startedAt,
      ...(outcome.stateNow ? { stateNow: outcome.stateNow } : {}),
      ...(outcome.nextStep ? { nextStep: outcome.nextStep } : {}),
      ...(error ? { error: { kind: error.kind, message: error.message } } : {}),
      ...(degraded.length > 0 ? { degraded } : {}),
    });

    // A refused lock or bad input changed nothing: it is not a deployment worth a history line.
    if (!error || (error.kind !== "locked" && error.kind !== "usage")) {
      await ports.history
        .append({
          time: new Date(ctx.startedAt).toISOString(),
          user: ports.identity.user,
          host: ports.identity.host,
          command,
          operation,
          from: result.from,
          to: result.to,
          phases: Object.fromEntries(ctx.phases.map((p) => [p.phase, p.ms])),
          failedPhases: ctx.phases.filter((p) => p.status === "failed").map((p) => p.phase),
          smoke: outcome.smoke ? { ok: outcome.smoke.ok, checks: outcome.smoke.checks.length, failed: outcome.smoke.checks.filter((c) => !c.ok).length } : null,
          verify: outcome.verify ? { ok: outcome.verify.ok, requests: outcome.verify.requests, failures: outcome.verify.failures } : null,
          outcome: result.outcome,
          // A rolled-back deploy is no EngineError, but its message says why it was rolled back.
          error: error ? masker.text(error.message) : outcome.outcome === "rolled-back" ? masker.text(outcome.message) : null,
          // A failed run's output lines are external text too.
          hooks: masker.deep(auditOf(ctx).hooks),
          migrations: masker.deep(auditOf(ctx).migrations),
        })
        .catch((err: unknown) => handlers.emit({ type: "log", level: "warn", message: `could not append to the history: ${errorMessage(err)}` }));
    }
    if (ctx.lock) await ctx.lock.release().catch((err: unknown) => handlers.emit({ type: "log", level: "warn", message: `could not release the lock: ${errorMessage(err)}` }));
    handlers.emit({ type: "result", result });
    return result;
  }
}

/** Maps an operation's result to the CLI's exit code kinds. */
export function resultKind(result: OperationResult): "success" | EngineError["kind"] {
  if (result.outcome === "success" || result.outcome === "noop") return "success";
  if (result.error) return result.error.kind as EngineError["kind"];
  return "failed";
}

/**
 * Where the proxy routes at the end. When not every replica answers, the answering ones' agreed
 * target with a note saying who is missing; when the read fails, null with the reason.
 */
async function finalLive(ports: Ports): Promise<{ active: Color | null; activeNote?: string }> {
  try {
    return { active: await ports.proxy.liveTarget() };
  } catch (err) {
    const partial = ports.proxy.targets ? await ports.proxy.targets().catch(() => null) : null;
    const silent = partial?.replicas?.filter((r) => r.error !== undefined) ?? [];
    if (partial && partial.live !== null && silent.length > 0) {
      return { active: partial.live, activeNote: `on the replicas that answer; ${silent.map((r) => r.node).join(", ")} did not answer` };
    }
    return { active: null, activeNote: `not known: ${errorMessage(err)}` };
  }
}
