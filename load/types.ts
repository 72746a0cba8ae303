import type { Color } from "../src/domain/color.js";

/** How a probe ended when it did not get a response. See classify.ts for the rule. */
export type ErrorClass = "hard" | "keepalive-close";

/** One probe request, as recorded by the probe loop. Times are ms since the run started. */
export interface ProbeSample {
  /** When the request was handed to the HTTP client (actual start, not the scheduled slot). */
  t: number;
  /** HTTP status, or null when no response arrived. */
  status: number | null;
  /** Time from t until the response (or the error). */
  latencyMs: number;
  /** The color that served it: the proxy's `X-Bluegreen-Color`, else the app's `X-App-Color`; null when neither is a known color. */
  color: Color | null;
  /** null for a 2xx/3xx response. */
  error: ErrorClass | null;
  /** Short machine code: "http-503", "ECONNREFUSED", "timeout", "UND_ERR_SOCKET"… */
  errorCode?: string;
  /** Was the request written on a socket that had already carried a request (measured)? */
  reusedSocket?: boolean;
}

export type Phase = "baseline" | "operation" | "settle" | "stopping" | "done";

/** Operation boundaries, in ms since the run started. */
export interface OperationWindow {
  startMs: number;
  endMs: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Outage {
  startMs: number;
  durationMs: number;
  /** Probes sent inside the window that failed or were answered only when it ended. */
  failedProbes: number;
  /** What made it an outage: at least one hard failure, or only a gap without answers. */
  kind: "failures" | "stall";
}

export interface ColorTimeline {
  oldColor: Color | null;
  newColor: Color | null;
  /** Arrival time of the last probe response from the old color. */
  lastOldMs: number | null;
  /** Arrival time of the first probe response from the new color (null if the color never changed). */
  firstNewMs: number | null;
  /** How long both colors answered (lastOld − firstNew when positive, else 0). */
  overlapMs: number;
}

export interface ThroughputPoint {
  /** Second since run start (bucket [s, s+1)). */
  second: number;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
}

/** Errors seen by the load generator (autocannon), classed with the same rule as probes. */
export interface LoadErrorCounts {
  requests: number;
  hard: number;
  keepAliveCloses: number;
  status5xx: number;
  non2xx: number;
  timeouts: number;
  hardByCode: Record<string, number>;
  keepAliveByCode: Record<string, number>;
}

export interface WsSummary {
  sessions: number;
  abnormalCloses: number;
  cleanCloses: number;
  reconnects: number;
  failedReconnects: number;
  maxReconnectMs: number | null;
  tickGaps: number;
  colorsAfterReconnect: Color[];
  newSessionsOk: number;
  newSessionsFailed: number;
  closeCodes: Record<string, number>;
}

/** A window with no successful answer (a gap between two answers' arrivals), times from the run's start. */
export interface Stall {
  startMs: number;
  endMs: number;
  durationMs: number;
}

export interface Thresholds {
  /** p99 during the operation may be at most this many times the baseline p99 (floored, see verdict.ts). */
  maxP99Ratio: number;
  /** Baseline p99 used for the ratio is at least this, so a 1 ms baseline does not make 11 ms a failure. */
  p99FloorMs: number;
  /** Keep-alive closes allowed (probes + load). null = unlimited, still reported. */
  maxKeepAliveCloses: number | null;
  /**
   * Longest tolerated gap between successful responses; a longer one is an outage (see timeline.ts).
   * `verify --max-stall` (300 ms by default). Shorter stalls of 50 ms or more are reported, not failed.
   */
  gapMs: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  maxP99Ratio: 10,
  p99FloorMs: 10,
  maxKeepAliveCloses: null,
  gapMs: 300,
};

export interface Criterion {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyResult {
  verdict: "PASS" | "FAIL";
  /** Hard failures: probes + load generator. */
  hard: number;
  keepAliveCloses: number;
  probes: {
    sent: number;
    ok: number;
    hard: number;
    keepAliveCloses: number;
    byCode: Record<string, number>;
    skippedSlots: number;
    jitter: { p50: number; p99: number; max: number };
  };
  load: LoadErrorCounts | null;
  outages: Outage[];
  /** Every stall of 50 ms or more with its window, tolerated or not (see timeline.ts). */
  stalls: Stall[];
  /** Slow windows while the harness itself was starved (not judged, see timeline.ts). */
  clientStalls: { startMs: number; durationMs: number }[];
  ws: WsSummary;
  latency: { before: LatencySummary; during: LatencySummary; after: LatencySummary };
  /** Probe errors by phase (send time): errors before the operation mean the target was already unwell. */
  probeErrorsByPhase: Record<"before" | "during" | "after", { hard: number; keepAliveCloses: number }>;
  timeline: ColorTimeline;
  criteria: Criterion[];
  throughput: ThroughputPoint[];
  /** When the live color was first seen to change (= timeline.firstNewMs), null if it did not. */
  switchAtMs: number | null;
  operationWindow: OperationWindow;
  /** Window used for "during" latency (at least minDuringMs long). */
  duringWindow: OperationWindow;
  durationMs: number;
  startedAt: string;
  liveUrl: string;
  thresholds: Thresholds;
  settings: { connections: number; probeIntervalMs: number; wsSessions: number; baselineMs: number; settleMs: number };
}

export interface VerifyProgress {
  elapsedMs: number;
  phase: Phase;
  reqPerSec: number;
  p50: number | null;
  p99: number | null;
  errors: { hard: number; keepAliveCloses: number };
  wsAlive: number;
  color: Color | null;
}
