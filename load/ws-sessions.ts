import WebSocket from "ws";
import { isColor, type Color } from "../src/domain/color.js";
import { servedColor } from "../src/net/color-header.js";
import type { RunClock } from "./clock.js";
import { round } from "./stats.js";
import type { WsSummary } from "./types.js";

export interface WsSessionOptions {
  /** ws://127.0.0.1:8080/ws */
  url: string;
  sessions: number;
  clock: RunClock;
  /** Wait this long for the hello message before an open counts as failed. */
  helloTimeoutMs?: number;
  maxReconnectAttempts?: number;
}

export interface WsSessions {
  /** Resolves once every initial session got its hello or failed to. */
  readonly ready: Promise<void>;
  alive(): number;
  /** Open one short session every `intervalMs` (upgrade + hello must succeed); returns a stopper. */
  startNewSessions(intervalMs?: number, maxCount?: number): () => Promise<void>;
  stop(): Promise<void>;
  summary(): WsSummary;
}

interface HelloMessage {
  type: "hello";
  color?: unknown;
}
interface TickMessage {
  type: "tick";
  seq?: unknown;
}

function parse(data: WebSocket.RawData): HelloMessage | TickMessage | null {
  try {
    const value: unknown = JSON.parse(data.toString());
    if (value && typeof value === "object" && "type" in value) return value as HelloMessage | TickMessage;
  } catch {
    // not JSON: not ours to judge
  }
  return null;
}

/** 1000 (normal) and 1001 (going away, what a draining app sends) are clean; 1006 = TCP dropped. */
export function isCleanClose(code: number): boolean {
  return code === 1000 || code === 1001;
}

/**
 * Long-lived sessions opened before the operation. Each one records tick gaps (missing seq on one
 * connection), how it closed, and reconnects with bounded exponential backoff, measuring the time
 * from the close to the hello of the new connection and the color it landed on.
 */
export function startWsSessions(opts: WsSessionOptions): WsSessions {
  const clock = opts.clock;
  const helloTimeoutMs = opts.helloTimeoutMs ?? 2000;
  const maxAttempts = opts.maxReconnectAttempts ?? 8;
  const summary: WsSummary = emptyWsSummary();
  const open = new Set<WebSocket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  /** Connect once; resolves true when the hello arrived, false when it did not (socket cleaned up). */
  const connectSession = (closedAt: number | null, attempt: number): Promise<boolean> =>
    new Promise((resolve) => {
      const ws = new WebSocket(opts.url, { handshakeTimeout: helloTimeoutMs });
      let lastSeq: number | null = null;
      let greeted = false;
      // The proxy's X-Bluegreen-Color on the upgrade answer says where the session landed; the
      // app's hello message is the fallback.
      let upgradedTo: Color | null = null;
      ws.on("upgrade", (res) => {
        upgradedTo = servedColor(res.headers).color;
      });
      const helloTimer = setTimeout(() => {
        if (!greeted) ws.terminate();
      }, helloTimeoutMs);
      ws.on("message", (data) => {
        const msg = parse(data);
        if (!msg) return;
        if (msg.type === "hello" && !greeted) {
          greeted = true;
          clearTimeout(helloTimer);
          open.add(ws);
          if (closedAt !== null) {
            const ms = round(clock() - closedAt);
            summary.reconnects++;
            summary.maxReconnectMs = Math.max(summary.maxReconnectMs ?? 0, ms);
            const landed = upgradedTo ?? (isColor(msg.color) ? msg.color : null);
            if (landed) summary.colorsAfterReconnect.push(landed);
          }
          resolve(true);
        } else if (msg.type === "tick" && typeof msg.seq === "number") {
          if (lastSeq !== null && msg.seq > lastSeq + 1) summary.tickGaps += msg.seq - lastSeq - 1;
          lastSeq = msg.seq;
        }
      });
      ws.on("error", () => {
        // the close event that follows carries the verdict
      });
      ws.on("close", (code) => {
        clearTimeout(helloTimer);
        const wasOpen = open.delete(ws);
        if (!greeted) {
          resolve(false);
          if (closedAt !== null && !stopping) retry(closedAt, attempt + 1);
          return;
        }
        if (stopping || !wasOpen) return;
        summary.closeCodes[String(code)] = (summary.closeCodes[String(code)] ?? 0) + 1;
        if (isCleanClose(code)) summary.cleanCloses++;
        else summary.abnormalCloses++;
        retry(clock(), 0);
      });
    });

  const retry = (closedAt: number, attempt: number): void => {
    if (stopping) return;
    if (attempt >= maxAttempts) {
      summary.failedReconnects++;
      return;
    }
    const backoff = attempt === 0 ? 0 : Math.min(1000, 25 * 2 ** attempt);
    later(backoff, () => {
      if (!stopping) void connectSession(closedAt, attempt);
    });
  };

  const ready = Promise.all(
    Array.from({ length: opts.sessions }, async () => {
      const ok = await connectSession(null, 0);
      if (ok) summary.sessions++;
      else summary.newSessionsFailed++;
    }),
  ).then(() => undefined);

  const shortSession = (): Promise<boolean> =>
    new Promise((resolve) => {
      const ws = new WebSocket(opts.url, { handshakeTimeout: helloTimeoutMs });
      const timer = setTimeout(() => {
        ws.terminate();
        resolve(false);
      }, helloTimeoutMs);
      ws.on("error", () => undefined);
      ws.on("message", (data) => {
        if (parse(data)?.type === "hello") {
          clearTimeout(timer);
          ws.close(1000);
          resolve(true);
        }
      });
      ws.on("close", () => {
        clearTimeout(timer);
        resolve(false); // no-op when hello already resolved it
      });
    });

  return {
    ready,
    alive: () => open.size,
    startNewSessions(intervalMs = 200, maxCount = 1000) {
      const pending = new Set<Promise<void>>();
      let count = 0;
      let active = true;
      const spawn = (): void => {
        if (!active || stopping || count >= maxCount) return;
        count++;
        const p = shortSession()
          .then((ok) => {
            if (ok) summary.newSessionsOk++;
            else summary.newSessionsFailed++;
          })
          .finally(() => pending.delete(p));
        pending.add(p);
        later(intervalMs, spawn);
      };
      spawn();
      return async () => {
        active = false;
        await Promise.allSettled([...pending]);
      };
    },
    async stop() {
      stopping = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closing = [...open].map(
        (ws) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              ws.terminate();
              resolve();
            }, 1000);
            ws.once("close", () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close(1000);
          }),
      );
      open.clear();
      await Promise.all(closing);
    },
    summary: () => ({ ...summary, colorsAfterReconnect: [...summary.colorsAfterReconnect], closeCodes: { ...summary.closeCodes } }),
  };
}

/** A WsSummary with nothing counted yet (also what a run without WebSocket sessions reports). */
export function emptyWsSummary(): WsSummary {
  return {
    sessions: 0,
    abnormalCloses: 0,
    cleanCloses: 0,
    reconnects: 0,
    failedReconnects: 0,
    maxReconnectMs: null,
    tickGaps: 0,
    colorsAfterReconnect: [],
    newSessionsOk: 0,
    newSessionsFailed: 0,
    closeCodes: {},
  };
}
