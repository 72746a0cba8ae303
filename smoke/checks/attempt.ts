/** One check = attempts until one passes or the retries run out; each attempt is bounded in time. */
import { setTimeout as sleep } from "node:timers/promises";
import type { CheckFailure, CheckResult, CheckSpec, SmokeEvent } from "../types.js";

export interface AttemptOutcome {
  ok: boolean;
  failures: CheckFailure[];
  error?: string;
  bodyExcerpt?: string;
  notes: string[];
}

export const BODY_EXCERPT_CHARS = 300;

/** One line saying why an attempt did not pass, for progress events and logs. */
export function summarizeOutcome(outcome: AttemptOutcome): string {
  if (outcome.error !== undefined) return outcome.error;
  return outcome.failures.map((f) => `${f.what}: expected ${f.expected}, got ${f.actual}`).join("; ");
}

export async function runWithRetries(
  check: CheckSpec,
  attempt: () => Promise<AttemptOutcome>,
  runSignal: AbortSignal | undefined,
  emit: (event: SmokeEvent) => void,
): Promise<CheckResult> {
  const started = performance.now();
  const maxAttempts = check.retries + 1;
  let outcome: AttemptOutcome = { ok: false, failures: [], error: "not run: the smoke run was aborted", notes: [] };
  let attempts = 0;
  while (attempts < maxAttempts && !isAborted(runSignal)) {
    attempts += 1;
    outcome = await guarded(attempt);
    if (outcome.ok || isAborted(runSignal)) break;
    const retryInMs = attempts < maxAttempts ? check.retryDelayMs : 0;
    emit({ type: "attempt-failed", name: check.name, attempt: attempts, maxAttempts, error: summarizeOutcome(outcome), retryInMs });
    if (retryInMs > 0) {
      try {
        await sleep(retryInMs, undefined, runSignal ? { signal: runSignal } : undefined);
      } catch {
        break; // aborted while waiting
      }
    }
  }
  let repeated: CheckResult["repeated"];
  if (outcome.ok && check.repeat > 1) {
    // Retries absorb a slow start; the repeats measure the error rate, so none of them is retried.
    let passed = 1;
    while (passed < check.repeat && !isAborted(runSignal)) {
      const next = await guarded(attempt);
      if (!next.ok) {
        outcome = { ...next, error: `send ${passed + 1} of ${check.repeat} failed (${passed} passed before it): ${summarizeOutcome(next)}` };
        break;
      }
      passed += 1;
    }
    repeated = { passed, of: check.repeat };
    if (outcome.ok && passed < check.repeat) outcome = { ...outcome, ok: false, error: `aborted after ${passed} of ${check.repeat} sends` };
  }
  if (isAborted(runSignal) && !outcome.ok) {
    outcome = { ...outcome, error: outcome.error ?? "aborted: the smoke run was cancelled" };
  }
  const result: CheckResult = {
    name: check.name,
    kind: check.kind,
    ok: outcome.ok,
    attempts,
    durationMs: Math.round(performance.now() - started),
    failures: outcome.ok ? [] : outcome.failures,
  };
  if (repeated) result.repeated = repeated;
  if (!outcome.ok && outcome.error !== undefined) result.error = outcome.error;
  if (!outcome.ok && outcome.bodyExcerpt !== undefined) result.bodyExcerpt = outcome.bodyExcerpt;
  const notes = [...new Set(outcome.notes)];
  if (notes.length > 0) result.notes = notes;
  return result;
}

/** Attempts report problems as outcomes; an exception is a bug, but one check must not sink the run. */
async function guarded(attempt: () => Promise<AttemptOutcome>): Promise<AttemptOutcome> {
  try {
    return await attempt();
  } catch (err) {
    return { ok: false, failures: [], error: `internal error in the smoke runner: ${(err as Error).message}`, notes: [] };
  }
}

/** A function, not an inline check: TypeScript would otherwise keep a narrowing across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
