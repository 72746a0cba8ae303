import type { Color } from "../domain/color.js";
import type { OperationHandlers } from "../engine/context.js";
import type { OperationResult } from "../engine/events.js";
import type { Platform } from "../engine/ports.js";
import type { StackStatus } from "../engine/status-model.js";

/** The part of the engine the TUI calls; `Engine` satisfies it, tests pass a fake. */
export interface EngineLike {
  status(): Promise<StackStatus>;
  deploy(args: { version: string }, handlers: OperationHandlers): Promise<OperationResult>;
  switch(handlers: OperationHandlers): Promise<OperationResult>;
  rollback(handlers: OperationHandlers): Promise<OperationResult>;
  cleanup(handlers: OperationHandlers): Promise<OperationResult>;
  resolve(args: { keep: Color | null }, handlers: OperationHandlers): Promise<OperationResult>;
}

/** The part of the platform the TUI uses directly: the container event stream and container logs. */
export type PlatformLike = Pick<Platform, "watch" | "logs">;

/**
 * Live figures from the load harness while it runs around an operation (~every 250 ms).
 * Mirrors load/types.ts `VerifyProgress` structurally so the harness's progress passes straight in.
 */
export interface HarnessProgress {
  elapsedMs: number;
  phase: "baseline" | "operation" | "settle" | "stopping" | "done";
  reqPerSec: number;
  /** Latency percentiles over the last second, ms; null before the first response. */
  p50: number | null;
  p99: number | null;
  errors: { hard: number; keepAliveCloses: number };
  wsAlive: number;
  /** The color answering the probes right now. */
  color: Color | null;
}

/** What the harness concludes; a structural subset of load/types.ts `VerifyResult`. */
export interface HarnessVerdict {
  verdict: "PASS" | "FAIL";
  hard: number;
  keepAliveCloses: number;
  criteria?: Array<{ name: string; ok: boolean; detail: string }>;
}

/**
 * Runs `operation` inside the load harness (baseline → operation → settle) and reports progress.
 * The TUI builds the operation (engine call + its handlers); the harness only wraps it in traffic.
 */
export type HarnessRunner = (
  operation: () => Promise<OperationResult>,
  io: { signal: AbortSignal; onProgress: (progress: HarnessProgress) => void },
) => Promise<HarnessVerdict>;

export interface TuiDeps {
  engine: EngineLike;
  /** Its events of the shared services and both colors feed the dashboard. */
  platform: PlatformLike;
  stackName: string;
  /** The `v` key: run an operation under load and show the live figures. Absent: `v` says so. */
  harness?: HarnessRunner;
}
