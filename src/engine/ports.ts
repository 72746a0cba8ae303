import type { Config } from "../config/types.js";
import type { Color, Slot } from "../domain/color.js";
import type { ContainerInfo, DockerEvent, EventStreamStatus, EventSubscription, OneOffResult } from "../docker/types.js";
import type { ServiceFacts } from "../platform/compose/service-facts.js";
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

export interface StartOptions {
  /** Interpolation variables over the config's env (the version variable of a release). */
  env?: Record<string, string>;
  /** Build images first (the shared services' local builds). */
  build?: boolean;
  /** Recreate containers whose config did not change (a new version under the same image tag). */
  recreate?: boolean;
  /** Only these services of the slot (rolling out one shared service). */
  services?: string[];
  /** An abort stops the platform's own command and rejects with an AbortError. */
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

/**
 * Where the stack's services run: one Docker host driven by Compose (src/platform/compose/), or a
 * Docker Swarm (src/platform/swarm/). Everything the engine does to containers goes through here;
 * nothing above this port knows which one runs. A slot is a color or the shared services.
 */
export interface Platform {
  /** "compose" or "swarm", for status and messages. */
  readonly kind: "compose" | "swarm";
  /** Throws a clear error when the platform's Docker endpoint does not answer. */
  ping(): Promise<void>;
  /**
   * What the platform runs short of now, each a sentence for the operator (a swarm node the manager
   * lost: its tasks and proxy replica are left out). Empty when whole; one host has nothing to say.
   */
  degraded?(): Promise<string[]>;
  /** The containers (running or not) of one slot. */
  list(slot: Slot): Promise<ContainerInfo[]>;
  /** The containers of both colors and the shared services, from one read where the platform can. */
  listAll(): Promise<Record<Slot, ContainerInfo[]>>;
  build(color: Color, opts: Pick<StartOptions, "env" | "signal" | "onLine">): Promise<void>;
  /** Starts (or updates) a slot's services; resolves when the platform has created them, not when they are healthy. */
  start(slot: Slot, opts: StartOptions): Promise<void>;
  /** Stops a color's containers, each given `timeoutMs` after SIGTERM before SIGKILL. */
  stop(color: Color, timeoutMs: number): Promise<void>;
  /** Removes a slot's containers (and volumes with `volumes`); never another slot's, never external networks. */
  remove(slot: Slot, opts?: { volumes?: boolean }): Promise<void>;
  /**
   * One container of a color's `service` running argv, then removed (a migration). Resolves with
   * how it ended, also for a non-zero exit; on timeout or abort the container is removed.
   */
  runOnce(color: Color, service: string, argv: string[], opts: { env?: Record<string, string>; timeoutMs: number; signal?: AbortSignal; onLine?: (line: string) => void }): Promise<OneOffResult>;
  /** Resolves when every container is healthy; rejects on timeout, death or abort, with the reason. `intervalMs` (health.interval): how often they are re-read besides the event stream. */
  waitHealthy(ids: string[], opts: { timeoutMs: number; intervalMs: number; signal?: AbortSignal; onHealth?: (c: ContainerInfo) => void }): Promise<void>;
  /** The last `tail` lines of a container's logs (stdout and stderr together). */
  logs(id: string, tail: number): Promise<string>;
  /** Container events of these slots; reconnects with backoff when the endpoint goes away, reporting it through `onStatus`. */
  watch(slots: Slot[], onEvent: (event: DockerEvent) => void, onStatus?: (status: EventStreamStatus) => void): EventSubscription;
  /** What the user's files declare per service of a color (healthcheck, stop grace period), by service name ("app-blue"). */
  serviceFacts(color: Color): Promise<Record<string, ServiceFacts>>;
  /** The open TCP connections (in-flight requests, WebSockets) the containers serve on `port`. */
  connections(containers: ContainerInfo[], port: number): Promise<number>;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Everything the engine touches, passed in: unit tests pass fakes, the CLI and TUI pass the real adapters. */
export interface Ports {
  config: Config;
  platform: Platform;
  proxy: ProxyDriver;
  state: StateStore;
  lock: LockPort;
  history: HistoryPort;
  smoke: SmokePort;
  live: LiveProbePort;
  clock: Clock;
  /** Operator hooks (src/hooks/); absent: no hooks run. */
  hooks?: HooksPort;
  /** Who is running this (for the lock, history and state): user@host. */
  identity: { user: string; host: string };
}
