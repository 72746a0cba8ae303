import diagnosticsChannel from "node:diagnostics_channel";
import { randomUUID } from "node:crypto";
import { Pool } from "undici";
import { servedColor } from "../src/net/color-header.js";
import { classifyError, classifyStatus, errorCodeOf } from "./classify.js";
import type { RunClock } from "./clock.js";
import type { ProbeSample } from "./types.js";

export interface ProbeLoopOptions {
  /** Live route base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  path?: string;
  intervalMs?: number;
  /** Hard bounds: the loop stops at whichever comes first. */
  maxDurationMs: number;
  maxCount?: number;
  /** A probe without a response after this long is a hard "timeout". */
  timeoutMs?: number;
  /** Pool size: probes overlap when the target hangs, each on its own connection. */
  connections?: number;
  clock: RunClock;
  onSample?: (sample: ProbeSample) => void;
}

export interface ProbeLoop {
  readonly samples: ProbeSample[];
  /** actual − scheduled start of each probe, ms. */
  readonly jitterMs: number[];
  /** Slots dropped because the loop fell more than one interval behind (event loop blocked). */
  skippedSlots(): number;
  /** Stop scheduling, wait for in-flight probes (bounded by their timeout), close the pool. */
  stop(): Promise<void>;
  /** Resolves when the loop ended on its own bounds or after stop(). */
  readonly finished: Promise<void>;
}

const PROBE_HEADER = "x-bg-probe";
const SEND_HEADERS = "undici:client:sendHeaders";

interface SendHeadersMessage {
  headers?: unknown;
  socket?: object;
}

/**
 * Socket reuse is measured, not inferred: every probe carries a unique `x-bg-probe` header; undici
 * publishes the raw header block and the socket right before writing a request, so we count the
 * requests each socket has carried and note, per probe, whether its socket had carried one before.
 */
function trackSocketReuse(tag: string): { reusedFor(id: string): boolean; dispose(): void } {
  const requestsPerSocket = new WeakMap<object, number>();
  const reusedById = new Map<string, boolean>();
  const pattern = new RegExp(`\\r\\n${PROBE_HEADER}: (${tag}-\\d+)\\r\\n`, "i");
  const onSend = (message: unknown): void => {
    const { headers, socket } = message as SendHeadersMessage;
    if (typeof headers !== "string" || !socket) return;
    const match = pattern.exec(headers);
    if (!match?.[1]) return;
    const prior = requestsPerSocket.get(socket) ?? 0;
    requestsPerSocket.set(socket, prior + 1);
    reusedById.set(match[1], prior > 0);
  };
  diagnosticsChannel.subscribe(SEND_HEADERS, onSend);
  return {
    reusedFor(id) {
      const reused = reusedById.get(id) ?? false; // never written → no socket was reused
      reusedById.delete(id);
      return reused;
    },
    dispose() {
      diagnosticsChannel.unsubscribe(SEND_HEADERS, onSend);
    },
  };
}

export function startProbeLoop(opts: ProbeLoopOptions): ProbeLoop {
  const intervalMs = opts.intervalMs ?? 10;
  const maxCount = opts.maxCount ?? Math.ceil(opts.maxDurationMs / intervalMs) + 1;
  const timeoutMs = opts.timeoutMs ?? 2000;
  const path = opts.path ?? "/";
  const clock = opts.clock;
  const tag = randomUUID().slice(0, 8);
  const reuse = trackSocketReuse(tag);
  const pool = new Pool(opts.url, { connections: opts.connections ?? 32, pipelining: 1 });
  const samples: ProbeSample[] = [];
  const jitterMs: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let skipped = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));

  const probeOnce = async (seq: number): Promise<void> => {
    const id = `${tag}-${seq}`;
    const t = clock();
    let sample: ProbeSample;
    try {
      const res = await pool.request({
        path,
        method: "GET",
        headers: { [PROBE_HEADER]: id },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body.dump();
      const color = servedColor(res.headers).color;
      const c = classifyStatus(res.statusCode);
      sample = { t, status: res.statusCode, latencyMs: clock() - t, color, error: c.error, reusedSocket: reuse.reusedFor(id) };
      if (c.errorCode) sample.errorCode = c.errorCode;
    } catch (error) {
      const reusedSocket = reuse.reusedFor(id);
      const c = classifyError(errorCodeOf(error), reusedSocket);
      sample = { t, status: null, latencyMs: clock() - t, color: null, error: c.error, reusedSocket };
      if (c.errorCode) sample.errorCode = c.errorCode;
    }
    samples.push(sample);
    opts.onSample?.(sample);
  };

  const startedAt = clock();
  let slot = 0;
  let sent = 0;
  const end = (): void => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    resolveFinished();
  };
  const tick = (): void => {
    timer = null;
    if (stopped) return;
    const now = clock();
    const due = startedAt + slot * intervalMs;
    // Timers may fire a fraction of a millisecond early against performance.now(): wait for the slot.
    if (now < due - 0.5) {
      timer = setTimeout(tick, due - now);
      return;
    }
    if (sent >= maxCount || now - startedAt >= opts.maxDurationMs) return end();
    // Jitter is measured against the slot originally due, so a blocked event loop shows in full.
    jitterMs.push(now - due);
    // Fixed rate: when the event loop was blocked past whole slots, drop them rather than burst.
    const behind = Math.floor((now - due) / intervalMs);
    if (behind > 0) {
      skipped += behind;
      slot += behind;
    }
    sent++;
    const p = probeOnce(slot).finally(() => inFlight.delete(p));
    inFlight.add(p);
    slot++;
    timer = setTimeout(tick, Math.max(0, startedAt + slot * intervalMs - clock()));
  };
  timer = setTimeout(tick, 0);

  return {
    samples,
    jitterMs,
    skippedSlots: () => skipped,
    finished,
    async stop() {
      end();
      await Promise.allSettled([...inFlight]);
      reuse.dispose();
      await pool.destroy().catch(() => undefined);
    },
  };
}
