/** The spec as the runner uses it (durations in ms, defaults applied) and what a run reports. */

export type Matcher =
  | { kind: "equals"; value: unknown }
  | { kind: "exists"; exists: boolean }
  | { kind: "matches"; pattern: string }
  /** The check sends its request twice; the field must be a number that grew between the two. */
  | { kind: "increments" };

/** Dotted field path ("checks.redis", "items.0.id") or header name → what it must be. */
export type MatcherMap = ReadonlyArray<{ path: string; matcher: Matcher }>;

interface CheckSpecBase {
  name: string;
  /** 1-based line of the check in the spec file, for messages that point back at it. */
  line: number;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  /**
   * Once an attempt passed, the check is sent this many times in all and every one must pass,
   * without retries: a release failing a few percent of requests is caught here, before the switch.
   */
  repeat: number;
}

export interface HttpCheckSpec extends CheckSpecBase {
  kind: "http";
  request: { method: string; path: string; headers: Record<string, string>; body?: string; json?: unknown };
  /** `color`: who served the response, read from X-Bluegreen-Color (the proxy's), else X-App-Color. */
  expect: { status: readonly number[] | "2xx"; json: MatcherMap; headers: MatcherMap; bodyContains?: string; color?: Matcher };
}

export interface WsCheckSpec extends CheckSpecBase {
  kind: "ws";
  ws: {
    path: string;
    headers: Record<string, string>;
    protocols: readonly string[];
    expectFirst: MatcherMap;
    send?: string;
    expectReply?: MatcherMap;
    echoWithinMs: number;
  };
}

export type CheckSpec = HttpCheckSpec | WsCheckSpec;

export interface SmokeSpec {
  /** Where the spec came from (file path or a label), shown in messages. */
  source: string;
  checks: readonly CheckSpec[];
}

export interface CheckFailure {
  /** What was checked: "status", "json checks.redis", "header X-App-Version", "ws upgrade"… */
  what: string;
  expected: string;
  actual: string;
}

export interface CheckResult {
  name: string;
  kind: "http" | "ws";
  ok: boolean;
  /** Attempts made, including the last one. */
  attempts: number;
  /** With `repeat`: how many of the repeated sends passed (the first failure ends the check). */
  repeated?: { passed: number; of: number };
  durationMs: number;
  /** Mismatches of the last attempt; empty when ok or when the attempt failed with `error`. */
  failures: CheckFailure[];
  /** Transport-level problem of the last attempt: refused, timed out, aborted… */
  error?: string;
  /** First bytes of the last response body when the check failed (bounded). */
  bodyExcerpt?: string;
  /** Relaxations applied, e.g. "no expected version given: only checked that X-App-Version is present". */
  notes?: string[];
}

export interface SmokeResult {
  ok: boolean;
  /** The base URL the checks ran against. */
  target: string;
  durationMs: number;
  startedAt: string;
  expectVersion?: string;
  expectColor?: string;
  /** True when the run was cancelled through its AbortSignal; unrun checks are reported as failed. */
  aborted?: boolean;
  checks: CheckResult[];
}

export type SmokeEvent =
  | { type: "check-start"; name: string; kind: "http" | "ws"; index: number; total: number }
  | { type: "check-end"; result: CheckResult }
  | { type: "attempt-failed"; name: string; attempt: number; maxAttempts: number; error: string; retryInMs: number };

export interface RunSmokeOptions {
  baseUrl: string;
  expectVersion?: string;
  /**
   * smoke.expectVersionHeader: with an expected version, every HTTP response must carry it in this
   * header (a missing header fails too). Unset: no version check by header.
   */
  versionHeader?: string;
  expectColor?: string;
  signal?: AbortSignal;
  onEvent?: (event: SmokeEvent) => void;
}
