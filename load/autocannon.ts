import autocannon from "autocannon";
import { classifyError, classifyStatus, errorCodeOf } from "./classify.js";
import type { RunClock } from "./clock.js";
import { TimeSeries } from "./stats.js";
import type { LoadErrorCounts } from "./types.js";

export interface LoadOptions {
  url: string;
  path?: string;
  connections: number;
  /** Bounds: stops at whichever comes first. */
  maxDurationMs: number;
  maxRequests?: number;
  /** Seconds autocannon waits for a response before it counts a timeout. */
  timeoutSec?: number;
  clock: RunClock;
}

export interface LoadRun {
  /** Completion time (run clock) → latency of every response. */
  readonly responses: TimeSeries;
  /** Time of every failed request → 1 hard, 2 keep-alive close. */
  readonly failures: TimeSeries;
  counts(): LoadErrorCounts;
  /** Per-second request counts as autocannon's own `tick` event reported them. */
  readonly ticks: { t: number; counter: number }[];
  stop(): Promise<void>;
  readonly finished: Promise<void>;
}

/** The part of autocannon's per-connection Client we rely on (its socket is `conn`). */
interface AutocannonClient {
  conn?: { setNoDelay?: (noDelay: boolean) => unknown };
  _connect?: () => void;
  on(event: "response", listener: (statusCode: number) => void): void;
  on(event: "connError", listener: (error: unknown) => void): void;
  on(event: "timeout", listener: () => void): void;
}

export function startLoad(opts: LoadOptions): LoadRun {
  const clock = opts.clock;
  const responses = new TimeSeries();
  const failures = new TimeSeries();
  const ticks: { t: number; counter: number }[] = [];
  const counts: LoadErrorCounts = { requests: 0, hard: 0, keepAliveCloses: 0, status5xx: 0, non2xx: 0, timeouts: 0, hardByCode: {}, keepAliveByCode: {} };
  const record = (cls: "hard" | "keepalive-close", code: string): void => {
    const byCode = cls === "hard" ? counts.hardByCode : counts.keepAliveByCode;
    if (cls === "hard") counts.hard++;
    else counts.keepAliveCloses++;
    byCode[code] = (byCode[code] ?? 0) + 1;
    failures.push(clock(), cls === "hard" ? 1 : 2);
  };
  // Reuse is measured per connection: autocannon emits `connError` before it replaces `conn`, so a
  // socket that already delivered a response when it failed was a reused keep-alive connection.
  const responsesPerSocket = new WeakMap<object, number>();
  const setupClient = (raw: unknown): void => {
    const client = raw as AutocannonClient;
    // autocannon opens its sockets with Nagle's algorithm on, which can hold a request back behind
    // a delayed ACK (tens of ms on small keep-alive exchanges). It has no option for it, so every
    // (re)connect of this client sets TCP_NODELAY on the new socket, as wrk and undici do.
    const connect = client._connect;
    if (typeof connect === "function") {
      client._connect = function (this: AutocannonClient) {
        connect.call(this);
        this.conn?.setNoDelay?.(true);
      };
    }
    client.on("response", (statusCode: number) => {
      const conn = client.conn;
      if (conn) responsesPerSocket.set(conn, (responsesPerSocket.get(conn) ?? 0) + 1);
      const status = Number(statusCode);
      if (status < 200 || status >= 300) counts.non2xx++;
      if (status >= 500) counts.status5xx++;
      const c = classifyStatus(status);
      if (c.error) record("hard", c.errorCode ?? `http-${status}`);
    });
    client.on("connError", (error: unknown) => {
      const conn = client.conn;
      const reused = conn ? (responsesPerSocket.get(conn) ?? 0) > 0 : false;
      const c = classifyError(errorCodeOf(error), reused);
      record(c.error ?? "hard", c.errorCode ?? "unknown");
    });
    client.on("timeout", () => {
      counts.timeouts++;
      record("hard", "timeout");
    });
  };

  const started = clock();
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  const instance = autocannon(
    {
      url: new URL(opts.path ?? "/", opts.url).toString(),
      connections: opts.connections,
      pipelining: 1,
      // amount overrides duration in autocannon, so the duration bound is our own timer below.
      amount: opts.maxRequests ?? Math.max(opts.connections, Math.ceil(opts.maxDurationMs * 50)),
      timeout: opts.timeoutSec ?? 2,
      setupClient,
    },
    () => resolveFinished(),
  );
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    counts.requests++;
    responses.push(clock(), responseTime);
  });
  // The typings declare `tick` without its payload; autocannon passes {counter, bytes}.
  (instance as NodeJS.EventEmitter).on("tick", (tick: { counter: number }) => ticks.push({ t: clock() - started, counter: tick.counter }));
  const bound = setTimeout(() => instance.stop(), opts.maxDurationMs);
  void finished.then(() => clearTimeout(bound));

  return {
    responses,
    failures,
    ticks,
    counts: () => ({ ...counts, hardByCode: { ...counts.hardByCode }, keepAliveByCode: { ...counts.keepAliveByCode } }),
    finished,
    async stop() {
      instance.stop();
      // autocannon finishes on its next internal tick; never wait for more than 3 s.
      await Promise.race([finished, new Promise((r) => setTimeout(r, 3000).unref())]);
      clearTimeout(bound);
    },
  };
}
