import { performance } from "node:perf_hooks";

/** Milliseconds since a run started: one time base shared by probes, load, WebSockets and the operation. */
export type RunClock = () => number;

export function startClock(): RunClock {
  const origin = performance.now();
  return () => performance.now() - origin;
}
