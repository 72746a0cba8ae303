import type { Config } from "../config/types.js";
import type { Color } from "../domain/color.js";
import type { ComposeRunner, ContainerInfo, DockerPort } from "../docker/types.js";
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
}

export interface LockPort {
  /** Throws LockHeldError (from src/state) naming the holder when someone else holds it. */
  acquire(command: string): Promise<HeldLock>;
  read(): Promise<LockInfo | null>;
  /** Removes a stale lock; refuses when its holder is alive. */
  breakStale(): Promise<void>;
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
  smoke: { ok: boolean; checks: number; failed: number } | null;
  verify: { ok: boolean; requests: number; failures: number } | null;
  outcome: Outcome;
  error: string | null;
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
  color: Color | null;
  error: string | null;
}

/** Requests through the live route after a switch: every response must come from the new color. */
export interface LiveProbePort {
  sample(url: string, opts: { durationMs: number; intervalMs: number; signal?: AbortSignal; onProgress?: (s: LiveSample[]) => void }): Promise<LiveSample[]>;
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
  waitHealthy(ids: string[], opts: { timeoutMs: number; signal?: AbortSignal; onHealth?: (c: ContainerInfo) => void }): Promise<void>;
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
  clock: Clock;
  /** Who is running this (for the lock, history and state): user@host. */
  identity: { user: string; host: string };
}
