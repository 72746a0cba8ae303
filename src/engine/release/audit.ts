import type { OperationContext } from "../context.js";
import type { HookPoint, HookRecord, MigrationRecord } from "../ports.js";

/** What an operation learnt that hooks are told about (as BLUEGREEN_* variables). */
export interface ReleaseFacts {
  smoke?: { ok: boolean; checks: number; failed: number };
  verify?: { ok: boolean; requests: number; failures: number };
  migrate?: { ok: boolean; step: "expand" | "contract" };
  outcome?: string;
  error?: string;
  failedPhase?: string;
}

/** Per-operation record of the release steps: hooks present, hooks and migrations run, facts so far. */
export interface ReleaseAudit {
  present: Set<HookPoint> | null;
  hooks: HookRecord[];
  migrations: MigrationRecord[];
  facts: ReleaseFacts;
}

const audits = new WeakMap<OperationContext, ReleaseAudit>();

/** The release record of one running operation (the history entry carries its hooks and migrations). */
export function auditOf(ctx: OperationContext): ReleaseAudit {
  let audit = audits.get(ctx);
  if (!audit) {
    audit = { present: null, hooks: [], migrations: [], facts: {} };
    audits.set(ctx, audit);
  }
  return audit;
}

export function noteFacts(ctx: OperationContext, facts: ReleaseFacts): void {
  const audit = auditOf(ctx);
  audit.facts = { ...audit.facts, ...facts };
}
