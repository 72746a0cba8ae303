import type { Config } from "../config/types.js";
import type { Color } from "../domain/color.js";
import type { ComposeRunner, ContainerInfo, DockerPort } from "../docker/types.js";
import type { ServiceFactsPort } from "../platform/compose/service-facts.js";
import type { ProxyDriver } from "../proxy/driver.js";
import type { LockInfo, RecordedState } from "./status-model.js";
import type { Outcome, SmokeCheckSummary } from "./events.js";

/** The active-color file. */
export interface StateStore {
  /** null when no state was ever recorded. Throws with a clear message when the file is corrupt. */
  read(): Promise<RecordedState | null>;
  write(state: Omit<RecordedState, "updatedAt" | "updatedBy">): Promise<RecordedState>;
}

export interface HeldLock {
  release(): Promise<void>;
  /** The stale lock this one replaced (acquire with takeOverStale), or null. */
  readonly tookOver: LockInfo | null;
}

export interface AcquireOptions {
  /**
   * Replace a stale lock (its holder is gone) with this one in one atomic step, instead of refusing.
   * Only `resolve` does this; a lock whose holder may be alive is never taken.
   */
  takeOverStale?: boolean;
  /** Called once if the lock is lost while held (removed or taken by someone else): stop changing the stack. */
  onLost?: (reason: Error) => void;
}

export interface LockPort {
  /** Throws EngineError "locked" naming the holder when someone else holds it. */
  acquire(command: string, opts?: AcquireOptions): Promise<HeldLock>;
  read(): Promise<LockInfo | null>;
}

export interface HistoryEntry {
  time: string;
  user: string;
  host: string;
  command: string;
  operation: string;
  from: { color: Color | null; version: string | null };
  to: { color: Color | null; version: string | null };
  phases: Record<string, number>;
  /** The phases that failed, in order (e.g. ["verify"] for a deploy rolled back after its verify). */
  failedPhases?: string[];
  smoke: { ok: boolean; checks: number; failed: number } | null;
  verify: { ok: boolean; requests: number; failures: number } | null;
  outcome: Outcome;
  error: string | null;
  /** Each hook that ran, in order (absent in entries written before hooks existed). */
  hooks?: HookRecord[];
  /** Each migration run (expand before the switch, contract after the old color stopped). */
  migrations?: MigrationRecord[];
}

/** The points of an operation where an operator's executable runs (docs/hooks.md). */
export const HOOK_POINTS = ["pre-deploy", "post-build", "pre-switch", "post-switch", "post-deploy", "pre-rollback", "post-rollback", "on-failure"] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

/** How one hook run ended. */
export interface HookRun {
  point: HookPoint;
  path: string;
  /** null when it was killed (timeout, abort) or could not be started. */
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Its last output lines (stdout and stderr together), for messages and the history. */
  tail: string[];
  /** Why it could not be started (e.g. EACCES), when it could not. */
  spawnError?: string;
}

export interface HookRecord {
  point: HookPoint;
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  ms: number;
  /** A failed run's last output lines (at most RECORDED_OUTPUT_LINES), so the history says why. */
  output?: string[];
}

/** How many of a failed hook's or migration's last output lines its history record keeps. */
export const RECORDED_OUTPUT_LINES = 10;

export interface MigrationRecord {
  step: "expand" | "contract";
  color: Color;
  version: string;
  command: string[];
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  ms: number;
  /** A failed run's last output lines (at most RECORDED_OUTPUT_LINES), so the history says why. */
  output?: string[];
}

/** The operator's hooks directory: one executable per point, run with argv and the facts as environment. */
export interface HooksPort {
  /**
   * Checks the directory before an operation acts and lists the hooks present. A hook file that is
   * not executable is an error (EngineError "usage"); no directory means no hooks.
   */
  validate(): Promise<HookPoint[]>;
  /** Runs the hook at `point` when one exists (null when none); never throws for a failing hook. */
  run(point: HookPoint, env: Record<string, string>, opts: { timeoutMs: number; signal?: AbortSignal; onLine?: (line: string) => void }): Promise<HookRun | null>;
}

export interface HistoryPort {
  append(entry: HistoryEntry): Promise<void>;
}

export interface SmokePort {
  /** Loads and validates the configured spec; throws a clear error naming the problem. Called before acting. */
  validate(): Promise<void>;
  /** Runs the configured smoke spec against baseUrl; never throws for a failing check. */
  run(
    baseUrl: string,
    opts: { expectVersion: string | null; expectColor: Color | null; signal?: AbortSignal; onCheck?: (c: SmokeCheckSummary) => void },
  ): Promise<{ ok: boolean; checks: SmokeCheckSummary[] }>;
}

export interface LiveSample {
  status: number | null;
  /** The color that served it: the proxy's X-Bluegreen-Color, else the app's X-App-Color. */
  color: Color | null;
  error: string | null;
  /** Which header the color came from ("none": neither was there). */
  colorSource?: "proxy" | "app" | "none";
}

/** Requests through the live route after a switch: every response must come from the new color. */
export interface LiveProbePort {
  sample(
    url: string,
    opts: { durationMs: number; intervalMs: number; method?: "GET" | "HEAD"; signal?: AbortSignal; onProgress?: (s: LiveSample[]) => void },
  ): Promise<LiveSample[]>;
  /** One request (the HTTP health gate of a service without a Docker healthcheck); never throws. */
  once(url: string, opts: { method?: "GET" | "HEAD"; timeoutMs: number; signal?: AbortSignal }): Promise<LiveSample>;
}

/** Counts the open TCP connections a color's containers serve (in-flight requests + WebSockets). */
export interface ConnectionCounter {
  count(containers: ContainerInfo[], port: number): Promise<number>;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface HealthWaiter {
  /** Resolves when every container is healthy; rejects on timeout, death or abort, with the reason. */
  /** `intervalMs` (health.interval): how often the containers are re-read besides Docker's health events. */
  waitHealthy(ids: string[], opts: { timeoutMs: number; intervalMs: number; signal?: AbortSignal; onHealth?: (c: ContainerInfo) => void }): Promise<void>;
}

/** Everything the engine touches, passed in: unit tests pass fakes, the CLI and TUI pass the real adapters. */
export interface Ports {
  config: Config;
  docker: DockerPort;
  compose: ComposeRunner;
  proxy: ProxyDriver;
  state: StateStore;
  lock: LockPort;
  history: HistoryPort;
  smoke: SmokePort;
  live: LiveProbePort;
  connections: ConnectionCounter;
  health: HealthWaiter;
  /** What the compose files declare per service (healthcheck, stop_grace_period). */
  serviceFacts: ServiceFactsPort;
  clock: Clock;
  /** Operator hooks (src/hooks/); absent: no hooks run. */
  hooks?: HooksPort;
  /** Who is running this (for the lock, history and state): user@host. */
  identity: { user: string; host: string };
}
