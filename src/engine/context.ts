import type { Color } from "../domain/color.js";
import { EngineError, LockLostError } from "./errors.js";
import type { ConfirmRequest, EngineEvent, EventSink, PhaseName, PhaseStatus } from "./events.js";
import type { HeldLock, Ports } from "./ports.js";

export const LOCK_LOST_NEXT_STEP =
  "find the other bluegreen (`bluegreen status` shows the lock's holder) and let it finish; then run `bluegreen status`, and `bluegreen resolve` if it reports a conflict";

/** Answers a confirmation: the CLI with --yes or a prompt, the TUI with a dialog. */
export type Confirmer = (request: ConfirmRequest) => Promise<boolean>;

export interface OperationHandlers {
  emit: EventSink;
  confirm: Confirmer;
  /** Aborted on Ctrl-C / SIGTERM: the engine stops at a safe point. */
  signal: AbortSignal;
}

/** One running operation: times its phases and emits events. */
export class OperationContext {
  readonly phases: Array<{ phase: PhaseName; status: PhaseStatus; ms: number }> = [];
  readonly startedAt: number;
  /** The stack lock this operation holds; the runner releases it. */
  lock: HeldLock | null = null;
  lockCommand = "";
  /** What the operation planned to change, once it knows: a failure's result and history line say it. */
  subject: { from: { color: Color | null; version: string | null }; to: { color: Color | null; version: string | null } } = {
    from: { color: null, version: null },
    to: { color: null, version: null },
  };

  constructor(
    readonly ports: Ports,
    readonly handlers: OperationHandlers,
  ) {
    this.startedAt = ports.clock.now();
  }

  get config() {
    return this.ports.config;
  }

  get signal(): AbortSignal {
    return this.handlers.signal;
  }

  emit(event: EngineEvent): void {
    this.handlers.emit(event);
  }

  log(level: "info" | "warn" | "error", message: string): void {
    this.emit({ type: "log", level, message });
  }

  /** Runs one phase, timing it; the phase is marked failed when fn throws. */
  async phase<T>(phase: PhaseName, fn: () => Promise<T>, detail?: string): Promise<T> {
    const t0 = this.ports.clock.now();
    this.emit({ type: "phase", phase, status: "start", ...(detail ? { detail } : {}) });
    try {
      const value = await fn();
      const ms = this.ports.clock.now() - t0;
      this.phases.push({ phase, status: "ok", ms });
      this.emit({ type: "phase", phase, status: "ok", ms });
      return value;
    } catch (err) {
      const ms = this.ports.clock.now() - t0;
      this.phases.push({ phase, status: "failed", ms });
      this.emit({ type: "phase", phase, status: "failed", ms, detail: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  skip(phase: PhaseName, detail: string): void {
    this.phases.push({ phase, status: "skipped", ms: 0 });
    this.emit({ type: "phase", phase, status: "skipped", detail });
  }

  /**
   * Throws when the operation must stop: "aborted" when the operator interrupted, "failed" when the
   * stack's lock was lost (the signal's reason is a LockLostError). Call between steps.
   */
  checkAborted(stateNow: string, nextStep: string): void {
    if (!this.signal.aborted) return;
    const reason: unknown = this.signal.reason;
    if (reason instanceof LockLostError) throw new EngineError("failed", reason.message, stateNow, LOCK_LOST_NEXT_STEP, { cause: reason });
    throw new EngineError("aborted", "interrupted by the operator", stateNow, nextStep);
  }

  async confirm(request: ConfirmRequest): Promise<boolean> {
    this.emit({ type: "confirm", request });
    return this.handlers.confirm(request);
  }

  /** The platform's own output (compose, docker stack deploy) as events. */
  platformLine = (line: string): void => {
    this.emit({ type: "output", source: "platform", line });
  };
}
