import type { Color } from "../domain/color.js";
import type { HookPoint } from "./ports.js";
import type { StackStatus } from "./status-model.js";

export type OperationName = "status" | "deploy" | "switch" | "rollback" | "cleanup" | "resolve" | "up" | "down" | "shared" | "migrate";

/** The steps an operation goes through, in the order a deploy runs them. */
export type PhaseName =
  | "preflight"
  | "shared"
  | "build"
  | "start"
  | "health"
  | "preview"
  | "smoke"
  | "confirm"
  | "switch"
  | "verify"
  | "drain"
  | "stop"
  | "rollback-switch"
  | "cleanup"
  | "resolve"
  | "record"
  | "migrate"
  | "contract"
  | `hook:${HookPoint}`;

export type PhaseStatus = "start" | "ok" | "failed" | "skipped";

/** A question the engine asks the operator; the CLI answers with --yes or a prompt, the TUI with a dialog. */
export interface ConfirmRequest {
  id: string;
  question: string;
  /** Facts shown with the question, in order (label → value). */
  facts: Array<[string, string]>;
  /** What happens on yes, in one sentence. */
  consequence: string;
}

export interface SmokeCheckSummary {
  name: string;
  ok: boolean;
  durationMs: number;
  detail: string;
}

/** Everything the engine reports: the TUI, the plain CLI and --json are three renderers of this stream. */
export type EngineEvent =
  | { type: "operation"; operation: OperationName; status: "start"; args: Record<string, string | boolean | null> }
  | { type: "phase"; phase: PhaseName; status: PhaseStatus; ms?: number; detail?: string }
  | { type: "log"; level: "info" | "warn" | "error"; message: string }
  | { type: "output"; source: "platform" | "container" | "hook" | "migrate"; line: string }
  | { type: "health"; container: string; health: string; detail?: string }
  | { type: "smoke-check"; check: SmokeCheckSummary }
  | { type: "confirm"; request: ConfirmRequest }
  | { type: "verify-progress"; requests: number; failures: number; colors: Partial<Record<Color, number>> }
  | { type: "drain-progress"; color: Color; connections: number; remainingMs: number }
  | { type: "status"; status: StackStatus }
  | { type: "result"; result: OperationResult };

export type Outcome = "success" | "failed" | "aborted" | "rolled-back" | "declined" | "noop";

export interface OperationResult {
  operation: OperationName;
  outcome: Outcome;
  /** What the operator needs to know, one or two sentences. */
  message: string;
  /** The color the proxy routes to at the end (read from the proxy). */
  active: Color | null;
  /** Why `active` is not the whole truth (a proxy replica did not answer, or the read failed). */
  activeNote?: string;
  from: { color: Color | null; version: string | null };
  to: { color: Color | null; version: string | null };
  phases: Array<{ phase: PhaseName; status: PhaseStatus; ms: number }>;
  durationMs: number;
  /** When the outcome is not success: the state the stack is in now and the next step. */
  stateNow?: string;
  nextStep?: string;
  error?: { kind: string; message: string };
  /** What the platform ran short of at the end (a swarm node down): the operation went on without it. */
  degraded?: string[];
}

export type EventSink = (event: EngineEvent) => void;
