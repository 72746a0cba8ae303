import type { ConfirmRequest, EngineEvent, OperationName, OperationResult, PhaseName, PhaseStatus, SmokeCheckSummary } from "../../engine/events.js";
import type { Color } from "../../domain/color.js";
import type { HarnessProgress, HarnessVerdict } from "../types.js";

/** The order a deploy runs its phases: the checklist shows them all from the start. */
export const DEPLOY_PHASES: readonly PhaseName[] = ["preflight", "shared", "build", "start", "health", "preview", "smoke", "confirm", "switch", "verify", "drain", "stop"];

export interface PhaseRow {
  phase: PhaseName;
  status: PhaseStatus | "pending";
  ms?: number;
  detail?: string;
  /** When it started (ms since epoch), for the running phase's elapsed time. */
  startedAt?: number;
}

export const OUTPUT_LINES_KEPT = 5;
export const HARNESS_SAMPLES_KEPT = 40;

/** Everything the operation screen shows, built from the engine's events (and the harness's). */
export interface OperationState {
  operation: OperationName;
  title: string;
  startedAt: number;
  phases: PhaseRow[];
  output: string[];
  health: Array<{ container: string; health: string; detail?: string }>;
  smoke: SmokeCheckSummary[];
  logs: Array<{ level: "info" | "warn" | "error"; message: string }>;
  confirm: ConfirmRequest | null;
  verify: { requests: number; failures: number; colors: Partial<Record<Color, number>> } | null;
  drain: { color: Color; connections: number; remainingMs: number; at: number } | null;
  harness: HarnessProgress[] | null;
  harnessVerdict: HarnessVerdict | null;
  result: OperationResult | null;
  /** Set when the TUI itself could not run the operation (the engine threw instead of returning a result). */
  crash: string | null;
  aborting: boolean;
  /** The engine call (and the harness around it) returned. */
  finished: boolean;
}

export type OperationAction =
  | { type: "engine"; event: EngineEvent; now: number }
  | { type: "confirm-asked"; request: ConfirmRequest }
  | { type: "confirm-answered" }
  | { type: "harness-progress"; progress: HarnessProgress }
  | { type: "harness-verdict"; verdict: HarnessVerdict }
  | { type: "aborting" }
  | { type: "crash"; message: string }
  | { type: "finished" };

export function initialOperationState(operation: OperationName, title: string, now: number, withHarness: boolean): OperationState {
  return {
    operation,
    title,
    startedAt: now,
    phases: operation === "deploy" ? DEPLOY_PHASES.map((phase) => ({ phase, status: "pending" })) : [],
    output: [],
    health: [],
    smoke: [],
    logs: [],
    confirm: null,
    verify: null,
    drain: null,
    harness: withHarness ? [] : null,
    harnessVerdict: null,
    result: null,
    crash: null,
    aborting: false,
    finished: false,
  };
}

function upsertPhase(rows: PhaseRow[], row: PhaseRow): PhaseRow[] {
  const i = rows.findIndex((r) => r.phase === row.phase);
  if (i < 0) {
    // A phase outside the plan (the switch back after a failed verify) goes right after the last
    // phase that ran, so the checklist reads in the order things happened.
    const ran = rows.reduce((last, r, at) => (r.status === "pending" ? last : at), -1);
    return [...rows.slice(0, ran + 1), row, ...rows.slice(ran + 1)];
  }
  const next = [...rows];
  next[i] = { ...rows[i], ...row };
  return next;
}

function lastN<T>(list: readonly T[], item: T, n: number): T[] {
  const next = [...list, item];
  return next.length > n ? next.slice(next.length - n) : next;
}

/** Pure: folds one event into the operation screen's state. */
export function reduceOperation(state: OperationState, action: OperationAction): OperationState {
  switch (action.type) {
    case "confirm-asked":
      return { ...state, confirm: action.request };
    case "confirm-answered":
      return { ...state, confirm: null };
    case "harness-progress":
      return { ...state, harness: lastN(state.harness ?? [], action.progress, HARNESS_SAMPLES_KEPT) };
    case "harness-verdict":
      return { ...state, harnessVerdict: action.verdict };
    case "aborting":
      return { ...state, aborting: true };
    case "crash":
      return { ...state, crash: action.message };
    case "finished":
      return { ...state, finished: true, confirm: null };
    case "engine":
      return reduceEngineEvent(state, action.event, action.now);
  }
}

function reduceEngineEvent(state: OperationState, event: EngineEvent, now: number): OperationState {
  switch (event.type) {
    case "phase": {
      const row: PhaseRow = { phase: event.phase, status: event.status };
      if (event.status === "start") row.startedAt = now;
      if (event.ms !== undefined) row.ms = event.ms;
      if (event.detail !== undefined) row.detail = event.detail;
      return { ...state, phases: upsertPhase(state.phases, row) };
    }
    case "output":
      return { ...state, output: lastN(state.output, event.line, OUTPUT_LINES_KEPT) };
    case "health": {
      const entry = { container: event.container, health: event.health, ...(event.detail ? { detail: event.detail } : {}) };
      return { ...state, health: [...state.health.filter((h) => h.container !== event.container), entry] };
    }
    case "smoke-check":
      return { ...state, smoke: [...state.smoke, event.check] };
    case "log":
      return { ...state, logs: lastN(state.logs, { level: event.level, message: event.message }, 3) };
    case "verify-progress":
      return { ...state, verify: { requests: event.requests, failures: event.failures, colors: event.colors } };
    case "drain-progress":
      return { ...state, drain: { color: event.color, connections: event.connections, remainingMs: event.remainingMs, at: now } };
    case "result":
      return { ...state, result: event.result, confirm: null };
    default:
      return state;
  }
}

/** The phase running now, if any. */
export function runningPhase(state: OperationState): PhaseRow | null {
  return [...state.phases].reverse().find((p) => p.status === "start") ?? null;
}
