import { startLoad, type LoadRun } from "./autocannon.js";
import { startClock, type RunClock } from "./clock.js";
import { startProbeLoop, type ProbeLoop } from "./probe.js";
import { countBy, percentileSorted, round, summarizeLatency } from "./stats.js";
import { computeColorTimeline, duringWindow, findOutages } from "./timeline.js";
import {
  DEFAULT_THRESHOLDS,
  type OperationWindow,
  type Phase,
  type ProbeSample,
  type Thresholds,
  type ThroughputPoint,
  type VerifyProgress,
  type VerifyResult,
} from "./types.js";
import { evaluateCriteria, verdictOf } from "./verdict.js";
import { emptyWsSummary, startWsSessions, type WsSessions } from "./ws-sessions.js";

export interface VerifyOptions {
  /** Live route, e.g. http://127.0.0.1:8080 (published on 127.0.0.1 only). */
  liveUrl: string;
  /** Probe and load path (default "/"). */
  path?: string;
  /** WebSocket path (default "/ws"). */
  wsPath?: string;
  /** autocannon connections; 0 = probes only. */
  connections?: number;
  baselineMs?: number;
  settleMs?: number;
  /** Bound on the whole run; the operation is aborted when it would overrun it. */
  maxDurationMs?: number;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  /** Long-lived WebSocket sessions; 0 = none (and no new-session checks). */
  ws?: number;
  /** "during" is at least this long after the operation started (default 1000). */
  minDuringMs?: number;
  thresholds?: Partial<Thresholds>;
  /** Abort from the caller (Ctrl-C): forwarded to the operation, phases end early. */
  signal?: AbortSignal;
}

export type OperationOutcome<T> = { ok: true; value: T } | { ok: false; error: Error };

const PROGRESS_EVERY_MS = 250;
/** After aborting an operation that overran, wait this long for it to settle before giving up on it. */
const ABORT_GRACE_MS = 5000;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}


/** Latencies of successful requests (probes + load) whose response arrived in [from, to). */
function latenciesBetween(samples: readonly ProbeSample[], load: LoadRun | null, from: number, to: number): number[] {
  const values: number[] = [];
  for (const s of samples) {
    const done = s.t + s.latencyMs;
    if (s.error === null && done >= from && done < to) values.push(s.latencyMs);
  }
  if (load) for (const v of load.responses.valuesBetween(from, to)) values.push(v);
  return values;
}

function failuresBetween(samples: readonly ProbeSample[], load: LoadRun | null, from: number, to: number): number {
  let n = samples.filter((s) => s.error !== null && s.t + s.latencyMs >= from && s.t + s.latencyMs < to).length;
  if (load) n += load.failures.valuesBetween(from, to).length;
  return n;
}

export function throughputSeries(samples: readonly ProbeSample[], load: LoadRun | null, durationMs: number): ThroughputPoint[] {
  const points: ThroughputPoint[] = [];
  for (let second = 0; second * 1000 < durationMs; second++) {
    const from = second * 1000;
    const values = latenciesBetween(samples, load, from, from + 1000).sort((a, b) => a - b);
    points.push({
      second,
      requests: values.length,
      errors: failuresBetween(samples, load, from, from + 1000),
      p50: round(percentileSorted(values, 50)),
      p99: round(percentileSorted(values, 99)),
    });
  }
  return points;
}

/**
 * Run `operation` under traffic and judge it: baseline → operation → settle → stop, every phase
 * bounded. The operation's own success or failure is returned beside the verdict, never mixed in.
 */
export async function verifyAround<T>(
  operation: (signal: AbortSignal) => Promise<T>,
  opts: VerifyOptions,
  onProgress?: (p: VerifyProgress) => void,
): Promise<{ result: VerifyResult; operation: OperationOutcome<T> }> {
  const connections = opts.connections ?? 8;
  const baselineMs = opts.baselineMs ?? 2000;
  const settleMs = opts.settleMs ?? 2000;
  const maxDurationMs = opts.maxDurationMs ?? baselineMs + settleMs + 60_000;
  const probeIntervalMs = opts.probeIntervalMs ?? 10;
  const wsCount = opts.ws ?? 4;
  const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
  const minDuringMs = opts.minDuringMs ?? 1000;
  const path = opts.path ?? "/";
  const startedAt = new Date().toISOString();
  const clock: RunClock = startClock();
  let phase: Phase = "baseline";

  const wsUrl = new URL(opts.wsPath ?? "/ws", opts.liveUrl);
  wsUrl.protocol = wsUrl.protocol === "https:" ? "wss:" : "ws:";
  const ws: WsSessions | null = wsCount > 0 ? startWsSessions({ url: wsUrl.toString(), sessions: wsCount, clock }) : null;
  if (ws) await ws.ready;

  const probes: ProbeLoop = startProbeLoop({
    url: opts.liveUrl,
    path,
    intervalMs: probeIntervalMs,
    maxDurationMs,
    clock,
    ...(opts.probeTimeoutMs !== undefined ? { timeoutMs: opts.probeTimeoutMs } : {}),
  });
  const load: LoadRun | null = connections > 0 ? startLoad({ url: opts.liveUrl, path, connections, maxDurationMs, clock }) : null;

  const progress = (): VerifyProgress => {
    const now = clock();
    const recent = latenciesBetween(probes.samples, load, now - 1000, now).sort((a, b) => a - b);
    let hard = 0;
    let keepAliveCloses = 0;
    for (const s of probes.samples) {
      if (s.error === "hard") hard++;
      else if (s.error === "keepalive-close") keepAliveCloses++;
    }
    if (load) {
      const c = load.counts();
      hard += c.hard;
      keepAliveCloses += c.keepAliveCloses;
    }
    const last = [...probes.samples].reverse().find((s) => s.color !== null);
    return {
      elapsedMs: round(now),
      phase,
      reqPerSec: recent.length,
      p50: recent.length ? round(percentileSorted(recent, 50)) : null,
      p99: recent.length ? round(percentileSorted(recent, 99)) : null,
      errors: { hard, keepAliveCloses },
      wsAlive: ws?.alive() ?? 0,
      color: last?.color ?? null,
    };
  };
  const ticker = onProgress ? setInterval(() => onProgress(progress()), PROGRESS_EVERY_MS) : null;
  // Every phase change is reported at once too: a 20 ms switch would otherwise fall between ticks.
  const enter = (next: Phase): void => {
    phase = next;
    onProgress?.(progress());
  };

  let outcome: OperationOutcome<T>;
  let window: OperationWindow;
  try {
    await sleep(baselineMs, opts.signal);

    enter("operation");
    const stopNewSessions = ws?.startNewSessions(200) ?? (async () => {});
    const controller = new AbortController();
    const forwardAbort = (): void => controller.abort(opts.signal?.reason ?? new Error("verify aborted by the caller"));
    if (opts.signal?.aborted) forwardAbort();
    else opts.signal?.addEventListener("abort", forwardAbort, { once: true });
    const budget = Math.max(0, maxDurationMs - clock() - settleMs);
    const overrun = setTimeout(
      () =>
        controller.abort(
          new Error(
            `the operation did not finish within the verify budget of ${Math.round(budget)} ms (--duration) and was aborted; ` +
              "what it changed may be partial: check `bluegreen status`, and give it more time with a larger --duration",
          ),
        ),
      budget,
    );
    const startMs = clock();
    try {
      const running = operation(controller.signal);
      const abandoned = new Promise<never>((_, reject) => {
        controller.signal.addEventListener(
          "abort",
          () => setTimeout(() => reject(toError(controller.signal.reason)), ABORT_GRACE_MS).unref(),
          { once: true },
        );
      });
      outcome = { ok: true, value: await Promise.race([running, abandoned]) };
    } catch (error) {
      outcome = { ok: false, error: toError(error) };
    } finally {
      clearTimeout(overrun);
      opts.signal?.removeEventListener("abort", forwardAbort);
    }
    window = { startMs: round(startMs), endMs: round(clock()) };
    await stopNewSessions();

    enter("settle");
    await sleep(Math.min(settleMs, Math.max(0, maxDurationMs - clock())), opts.signal);
  } finally {
    enter("stopping");
    await Promise.allSettled([probes.stop(), load?.stop(), ws?.stop()]);
    if (ticker) clearInterval(ticker);
  }
  enter("done");

  const durationMs = round(clock());
  const samples = probes.samples;
  const during = duringWindow(window, minDuringMs);
  const okLatencies = (from: number, to: number): number[] =>
    samples.filter((s) => s.error === null && s.t >= from && s.t < to).map((s) => s.latencyMs);
  const latency = {
    before: summarizeLatency(okLatencies(0, during.startMs)),
    during: summarizeLatency(okLatencies(during.startMs, during.endMs)),
    after: summarizeLatency(okLatencies(during.endMs, Number.POSITIVE_INFINITY)),
  };
  const errorsIn = (from: number, to: number) => {
    const inPhase = samples.filter((s) => s.t >= from && s.t < to);
    return {
      hard: inPhase.filter((s) => s.error === "hard").length,
      keepAliveCloses: inPhase.filter((s) => s.error === "keepalive-close").length,
    };
  };
  const probeErrorsByPhase = {
    before: errorsIn(0, during.startMs),
    during: errorsIn(during.startMs, during.endMs),
    after: errorsIn(during.endMs, Number.POSITIVE_INFINITY),
  };
  const probeHard = samples.filter((s) => s.error === "hard");
  const probeKa = samples.filter((s) => s.error === "keepalive-close");
  const loadCounts = load?.counts() ?? null;
  const hardByCode = countBy(probeHard, (s) => s.errorCode);
  for (const [code, n] of Object.entries(loadCounts?.hardByCode ?? {})) hardByCode[`load:${code}`] = n;
  const hard = probeHard.length + (loadCounts?.hard ?? 0);
  const keepAliveCloses = probeKa.length + (loadCounts?.keepAliveCloses ?? 0);
  const { outages, stalls, clientStalls } = findOutages(samples, { gapMs: thresholds.gapMs, intervalMs: probeIntervalMs });
  const wsSummary = ws?.summary() ?? emptyWsSummary();
  const timeline = computeColorTimeline(samples, during);
  const jitter = summarizeLatency(probes.jitterMs);
  const criteria = evaluateCriteria({
    probesOk: samples.filter((s) => s.error === null).length,
    hard,
    hardByCode,
    keepAliveCloses,
    outages,
    ws: wsSummary,
    latency,
    thresholds,
  });
  const result: VerifyResult = {
    verdict: verdictOf(criteria),
    hard,
    keepAliveCloses,
    probes: {
      sent: samples.length,
      ok: samples.filter((s) => s.error === null).length,
      hard: probeHard.length,
      keepAliveCloses: probeKa.length,
      byCode: countBy(samples, (s) => s.errorCode),
      skippedSlots: probes.skippedSlots(),
      jitter: { p50: jitter.p50, p99: jitter.p99, max: jitter.max },
    },
    load: loadCounts,
    outages: outages.map(({ startMs, durationMs, failedProbes, kind }) => ({ startMs, durationMs, failedProbes, kind })),
    stalls,
    clientStalls,
    ws: wsSummary,
    latency,
    probeErrorsByPhase,
    timeline,
    criteria,
    throughput: throughputSeries(samples, load, durationMs),
    switchAtMs: timeline.firstNewMs,
    operationWindow: window,
    duringWindow: during,
    durationMs,
    startedAt,
    liveUrl: opts.liveUrl,
    thresholds,
    settings: { connections, probeIntervalMs, wsSessions: wsCount, baselineMs, settleMs },
  };
  return { result, operation: outcome };
}
