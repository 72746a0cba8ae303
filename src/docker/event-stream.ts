import { backoffDelay, EVENT_STREAM_BACKOFF, type BackoffPolicy } from "./backoff.js";
import { isWantedEvent, parseDockerEvent, sinceParam } from "./docker-event.js";
import { describeCause } from "./errors.js";
import { JsonObjectStream } from "./json-object-stream.js";
import type { DockerEvent, EventStreamStatus, EventSubscription } from "./types.js";

/** Opens Docker's /events stream; resolves once the daemon answered with the stream. */
export type OpenEventStream = (since: number | undefined, signal: AbortSignal) => Promise<NodeJS.ReadableStream>;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Nanoseconds since the epoch. */
  nowNano(): bigint;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  nowNano: () => BigInt(Date.now()) * 1_000_000n,
};

export interface EventStreamOptions {
  open: OpenEventStream;
  projects: readonly string[];
  onEvent: (event: DockerEvent) => void;
  onStatus?: (status: EventStreamStatus) => void;
  backoff?: BackoffPolicy;
  timers?: Timers;
}

/**
 * Keeps one /events stream open, reconnecting with capped exponential backoff when it ends or
 * fails (daemon restart, socket gone). On reconnect it asks for events `since` the last one seen
 * (or since the first connection), so nothing that happened while disconnected is lost, and drops
 * the replayed ones it already delivered.
 */
export function subscribeEventStream(options: EventStreamOptions): EventSubscription {
  const timers = options.timers ?? realTimers;
  const policy = options.backoff ?? EVENT_STREAM_BACKOFF;
  const projects = new Set(options.projects);
  let closed = false;
  let attempt = 0;
  let retryTimer: unknown = null;
  let controller: AbortController | null = null;
  let stream: NodeJS.ReadableStream | null = null;
  // The newest event seen, and which events of that very nanosecond were seen: replays after a
  // reconnect at or before it are dropped.
  let floorNano: bigint | null = null;
  let deliveredAtFloor = new Set<string>();
  // Where a reconnect resumes when no event was seen yet: just before the first open was asked for.
  let firstOpenNano: bigint | null = null;

  const status = (s: EventStreamStatus): void => {
    if (!closed) options.onStatus?.(s);
  };

  const deliver = (raw: unknown): void => {
    const parsed = parseDockerEvent(raw);
    if (!parsed) return;
    if (floorNano !== null) {
      if (parsed.timeNano < floorNano) return;
      if (parsed.timeNano === floorNano && deliveredAtFloor.has(parsed.key)) return;
    }
    if (floorNano === null || parsed.timeNano > floorNano) {
      floorNano = parsed.timeNano;
      deliveredAtFloor = new Set();
    }
    deliveredAtFloor.add(parsed.key);
    if (isWantedEvent(parsed.event, projects)) options.onEvent(parsed.event);
  };

  const connect = async (): Promise<void> => {
    retryTimer = null;
    if (closed) return;
    const own = new AbortController();
    controller = own;
    const resumeFrom = floorNano ?? firstOpenNano;
    const since = resumeFrom === null ? undefined : sinceParam(resumeFrom);
    const openedAtNano = timers.nowNano();
    let opened: NodeJS.ReadableStream;
    try {
      opened = await options.open(since, own.signal);
    } catch (err) {
      own.abort();
      if (!closed && controller === own) retry(err);
      return;
    }
    if (closed || controller !== own) {
      destroy(opened);
      return;
    }
    stream = opened;
    attempt = 0;
    firstOpenNano ??= openedAtNano;
    status({ state: "connected" });
    const parser = new JsonObjectStream();
    let ended = false;
    const end = (err: unknown): void => {
      if (ended) return;
      ended = true;
      opened.removeListener("data", onData);
      destroy(opened);
      own.abort();
      if (stream === opened) stream = null;
      if (!closed && controller === own) retry(err);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const obj of parser.push(chunk).objects) deliver(obj);
    };
    opened.on("data", onData);
    opened.on("error", (err: unknown) => end(err));
    opened.on("end", () => end(new Error("the daemon closed the event stream")));
    opened.on("close", () => end(new Error("the event stream's connection closed")));
  };

  const retry = (err: unknown): void => {
    attempt++;
    status({ state: "reconnecting", attempt, error: describeCause(err) });
    if (closed) return;
    retryTimer = timers.setTimeout(() => void connect(), backoffDelay(policy, attempt));
  };

  void connect();

  return {
    close(): void {
      if (closed) return;
      closed = true;
      if (retryTimer !== null) timers.clearTimeout(retryTimer);
      retryTimer = null;
      controller?.abort();
      controller = null;
      if (stream) destroy(stream);
      stream = null;
    },
  };
}

function destroy(stream: NodeJS.ReadableStream): void {
  const destroyable = stream as NodeJS.ReadableStream & { destroy?: () => void };
  // Errors after destroy are expected; keep them from becoming unhandled.
  stream.on("error", () => undefined);
  destroyable.destroy?.();
}
