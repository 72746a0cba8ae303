/** Why an operation stopped; the CLI maps each kind to an exit code. */
export type EngineErrorKind = "failed" | "usage" | "conflict" | "locked" | "declined" | "aborted";

/**
 * An error an operator reads: what happened, what state the stack is in now, and what to do next.
 * Every failure the engine reports is one of these.
 */
export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    readonly stateNow: string,
    readonly nextStep: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "EngineError";
  }
}

/**
 * The stack's lock was removed or taken by someone else while this operation held it: another
 * bluegreen may be changing the stack now, so this one must not change anything more. The abort
 * signal of the operation carries it as its reason.
 */
export class LockLostError extends Error {
  override readonly name = "LockLostError";
  constructor(readonly reason: Error) {
    super(`the stack's lock was lost while this operation held it (${reason.message}); another bluegreen may be changing the stack, so this one stopped before its next change`);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return err instanceof Error && (err.name === "AbortError" || (err as { code?: string }).code === "ABORT_ERR");
}
