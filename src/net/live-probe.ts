import { Agent, request } from "undici";
import type { LiveProbePort, LiveSample } from "../engine/ports.js";
import { servedColor } from "./color-header.js";

/**
 * Requests through the live route at a fixed interval, bounded by time and count, on a keep-alive
 * pool like a real client. Used by the engine's verify step (the full harness lives in load/).
 */
export function createLiveProbe(opts: { timeoutMs?: number; maxRequests?: number } = {}): LiveProbePort {
  // Generous: on a loaded host a slow answer is not a lost one, and a false failure rolls back a good release.
  const timeoutMs = opts.timeoutMs ?? 5000;
  const connections = 4;
  const maxRequests = opts.maxRequests ?? 20_000;
  return {
    async once(url, { method = "GET", timeoutMs: limit, signal }) {
      try {
        const res = await request(url, { method, headersTimeout: limit, bodyTimeout: limit, signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(limit)]) : AbortSignal.timeout(limit) });
        await res.body.dump();
        const served = servedColor(res.headers);
        return { status: res.statusCode, color: served.color, error: null, colorSource: served.source };
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        return { status: null, color: null, error: typeof code === "string" ? code : err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
      }
    },
    async sample(url, { durationMs, intervalMs, signal, onProgress, method = "GET" }) {
      const agent = new Agent({ keepAliveTimeout: 4000, connections });
      const samples: LiveSample[] = [];
      const inflight = new Set<Promise<void>>();
      const end = Date.now() + durationMs;
      let lastProgress = 0;
      try {
        while (Date.now() < end && samples.length + inflight.size < maxRequests && !signal?.aborted) {
          // All connections busy: skip this tick rather than queue, so a request's timeout measures
          // the proxy and the app, never this probe's own queue.
          if (inflight.size >= connections) {
            await new Promise((r) => setTimeout(r, intervalMs));
            continue;
          }
          // An abort (the new color died) also cancels requests in flight: the caller switches back
          // at once instead of waiting for a dead upstream's timeouts.
          const p = (async () => {
            try {
              const res = await request(url, { dispatcher: agent, method, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) });
              await res.body.dump();
              const served = servedColor(res.headers);
              samples.push({ status: res.statusCode, color: served.color, error: null, colorSource: served.source });
            } catch (err) {
              // A timeout is a DOMException whose `code` is the number 23: name it instead.
              const code = (err as { code?: unknown }).code;
              samples.push({ status: null, color: null, error: typeof code === "string" ? code : err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
            }
          })();
          inflight.add(p);
          void p.finally(() => inflight.delete(p));
          if (onProgress && Date.now() - lastProgress > 250) {
            lastProgress = Date.now();
            onProgress(samples);
          }
          await new Promise((r) => setTimeout(r, intervalMs));
        }
        await Promise.all(inflight);
        onProgress?.(samples);
        return samples;
      } finally {
        await agent.close().catch(() => undefined);
      }
    },
  };
}
