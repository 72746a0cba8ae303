import { useCallback, useEffect, useRef, useState } from "react";
import type { EventStreamStatus } from "../../docker/types.js";
import type { StackStatus } from "../../engine/status-model.js";
import { describeDockerEvent, isRelevantDockerAction } from "../state/event-log.js";
import type { EngineLike, PlatformLike } from "../types.js";
import type { EventLog } from "./use-event-log.js";

export interface StackStatusOptions {
  /** Quiet time after the last relevant event before re-reading the status. */
  debounceMs?: number;
  /** A slow safety net for changes Docker does not announce (the proxy's target, the lock file). */
  safetyRefreshMs?: number;
}

export interface StackStatusView {
  status: StackStatus | null;
  /** Why the last status read failed, or null. */
  error: string | null;
  stream: EventStreamStatus | null;
  /** Re-read the status soon (debounced). */
  requestRefresh(): void;
  /** Take a status the engine already read (its `status` events). */
  accept(status: StackStatus): void;
}

/**
 * A re-read that found nothing new keeps the previous object, so the screen is not redrawn: the
 * periodic safety read then costs no render. The header shows the read time to the minute, so a
 * new minute still counts as a change.
 */
export function sameStatus(prev: StackStatus | null, next: StackStatus): boolean {
  if (!prev || prev.checkedAt.slice(0, 16) !== next.checkedAt.slice(0, 16)) return false;
  return JSON.stringify({ ...prev, checkedAt: "" }) === JSON.stringify({ ...next, checkedAt: "" });
}

/**
 * Besides Docker events, the status is re-read this often: a switch by another bluegreen or a lock
 * taken elsewhere emits no Docker event. The README states this period.
 */
export const SAFETY_REFRESH_MS = 10_000;

/**
 * The stack's status, re-read after Docker events (debounced) and every SAFETY_REFRESH_MS: one read
 * in flight at a time, and a read requested meanwhile runs once when it finishes.
 */
export function useStackStatus(engine: EngineLike, platform: PlatformLike, log: EventLog, opts: StackStatusOptions = {}): StackStatusView {
  const debounceMs = opts.debounceMs ?? 150;
  const safetyRefreshMs = opts.safetyRefreshMs ?? SAFETY_REFRESH_MS;
  const [status, setStatus] = useState<StackStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stream, setStream] = useState<EventStreamStatus | null>(null);
  const timer = useRef<NodeJS.Timeout | null>(null);
  const inFlight = useRef(false);
  const again = useRef(false);
  const alive = useRef(true);
  // The status on screen, to compare a re-read with without scheduling a render.
  const latest = useRef<StackStatus | null>(null);

  const read = useCallback(async () => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    try {
      do {
        again.current = false;
        try {
          const next = await engine.status();
          if (!alive.current) return;
          setError(null);
          if (sameStatus(latest.current, next)) continue;
          latest.current = next;
          setStatus(next);
        } catch (err) {
          if (!alive.current) return;
          setError(err instanceof Error ? err.message : String(err));
        }
      } while (again.current && alive.current);
    } finally {
      inFlight.current = false;
    }
  }, [engine]);

  const requestRefresh = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      void read();
    }, debounceMs);
  }, [read, debounceMs]);

  const { push } = log;
  useEffect(() => {
    alive.current = true;
    void read();
    const subscription = platform.watch(
      ["shared", "blue", "green"],
      (event) => {
        if (!isRelevantDockerAction(event.action)) return;
        const line = describeDockerEvent(event);
        push("docker", line.text, line.tone, event.time);
        requestRefresh();
      },
      (next) => {
        setStream(next);
        if (next.state === "connected") {
          push("tui", "Docker event stream connected", "ok");
          requestRefresh();
        } else {
          push("tui", `Docker event stream lost (${next.error}); reconnecting, attempt ${next.attempt}`, "warn");
        }
      },
    );
    const safety = setInterval(() => void read(), Math.max(1000, safetyRefreshMs));
    return () => {
      alive.current = false;
      subscription.close();
      clearInterval(safety);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [platform, read, requestRefresh, push, safetyRefreshMs]);

  const accept = useCallback((next: StackStatus) => {
    latest.current = next;
    setStatus(next);
    setError(null);
  }, []);

  return { status, error, stream, requestRefresh, accept };
}
