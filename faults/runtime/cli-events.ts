/**
 * Watching a spawned `bluegreen … --json` process: its stdout is one engine event per line. Lets a
 * scenario wait for a phase to start (to SIGKILL the process right there) and time-stamps each event
 * with the wall clock, so failures of the independent request loop can be placed against phases.
 */
import type { ChildProcess } from "node:child_process";
import type { CliRun } from "../../testkit/bluegreen-stack.js";

export interface StampedEvent {
  at: number;
  event: { type: string; phase?: string; status?: string; [key: string]: unknown };
}

export interface WatchedRun {
  child: ChildProcess;
  events: StampedEvent[];
  exited: Promise<CliRun>;
  /** Resolves with the first event matching, or null when the process ends or the time runs out. */
  waitFor(match: (e: StampedEvent["event"]) => boolean, timeoutMs: number): Promise<StampedEvent | null>;
  /** The last "phase" event seen, e.g. "drain start". */
  lastPhase(): string;
}

export function watchRun(spawned: { child: ChildProcess; exited: Promise<CliRun> }): WatchedRun {
  const events: StampedEvent[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  let ended = false;
  spawned.child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      try {
        events.push({ at: Date.now(), event: JSON.parse(line) as StampedEvent["event"] });
      } catch {
        // Not an event line (the CLI prints only JSON with --json; ignore anything else).
      }
    }
    for (const w of waiters) w();
  });
  const exited = spawned.exited.finally(() => {
    ended = true;
    for (const w of waiters) w();
  });

  return {
    child: spawned.child,
    events,
    exited,
    waitFor(match, timeoutMs) {
      return new Promise((resolve) => {
        let checked = 0;
        const check = () => {
          for (; checked < events.length; checked++) {
            const e = events[checked] as StampedEvent;
            if (match(e.event)) return done(e);
          }
          if (ended) done(null);
        };
        const timer = setTimeout(() => done(null), timeoutMs);
        const done = (e: StampedEvent | null) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(e);
        };
        waiters.add(check);
        check();
      });
    },
    lastPhase() {
      const p = [...events].reverse().find((e) => e.event.type === "phase");
      return p ? `${String(p.event.phase)} ${String(p.event.status)}` : "none";
    },
  };
}

export const isPhase = (phase: string, status: string) => (e: StampedEvent["event"]) => e.type === "phase" && e.phase === phase && e.status === status;
