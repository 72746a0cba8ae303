import type { Color } from "../../domain/color.js";
import type { Outcome, SmokeCheckSummary } from "../events.js";
import type { LiveVerdict } from "../steps.js";

/** What an operation body returns; the runner adds timing, the proxy's final target and history. */
export interface OperationOutcome {
  outcome: Outcome;
  message: string;
  from: { color: Color | null; version: string | null };
  to: { color: Color | null; version: string | null };
  smoke?: { ok: boolean; checks: SmokeCheckSummary[] } | null;
  verify?: LiveVerdict | null;
  stateNow?: string;
  nextStep?: string;
}
