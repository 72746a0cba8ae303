/**
 * The tool's own time in a deploy: the whole operation minus the phases that wait for the
 * application (build, start, health, and starting the shared services on a first deploy) and minus
 * the configured verify duration (time spent watching traffic on purpose).
 */
import type { OperationResult } from "../src/engine/events.js";

/** Phases whose time belongs to the application and Docker, not to bluegreen. */
export const APP_PHASES = ["shared", "build", "start", "health"] as const;

export interface DeployOverhead {
  version: string;
  outcome: string;
  /** Process spawn → exit of `bluegreen deploy`, ms (includes Node start-up). */
  wallMs: number;
  /** The engine's own total, ms. */
  totalMs: number;
  appMs: number;
  verifyConfiguredMs: number;
  /** The engine's total − app phases − configured verify duration. */
  overheadMs: number;
  /** Process wall time − app phases − configured verify duration. */
  overheadWallMs: number;
  phases: Record<string, number>;
}

/** Pure: overhead figures from a deploy's result. */
export function deployOverhead(result: OperationResult, version: string, wallMs: number, verifyConfiguredMs: number): DeployOverhead {
  const phases: Record<string, number> = {};
  for (const p of result.phases) if (p.status !== "skipped") phases[p.phase] = Math.round((phases[p.phase] ?? 0) + p.ms);
  const appMs = APP_PHASES.reduce((n, p) => n + (phases[p] ?? 0), 0);
  const verifyRan = phases.verify !== undefined ? verifyConfiguredMs : 0;
  return {
    version,
    outcome: result.outcome,
    wallMs: Math.round(wallMs),
    totalMs: Math.round(result.durationMs),
    appMs,
    verifyConfiguredMs: verifyRan,
    overheadMs: Math.round(result.durationMs - appMs - verifyRan),
    overheadWallMs: Math.round(wallMs - appMs - verifyRan),
    phases,
  };
}
