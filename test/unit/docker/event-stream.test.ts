import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { backoffDelay, EVENT_STREAM_BACKOFF } from "../../../src/docker/backoff.js";
import { sinceParam } from "../../../src/docker/docker-event.js";
import { subscribeEventStream, type Timers } from "../../../src/docker/event-stream.js";
import type { DockerEvent, EventStreamStatus } from "../../../src/docker/types.js";

/** A clock whose timers run only when the test says so. */
function fakeTimers(): Timers & { pending: { fn: () => void; ms: number }[]; runNext(): number } {
  const pending: { fn: () => void; ms: number }[] = [];
  return {
    pending,
    setTimeout: (fn, ms) => {
      const t = { fn, ms };
      pending.push(t);
      return t;
    },
    clearTimeout: (handle) => {
      const i = pending.indexOf(handle as { fn: () => void; ms: number });
      if (i >= 0) pending.splice(i, 1);
    },
    nowNano: () => 1_700_000_000_000_000_000n,
    runNext() {
      const t = pending.shift();
      if (!t) throw new Error("no timer pending");
      t.fn();
      return t.ms;
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function line(action: string, id: string, timeNano: bigint, project = "bgt-proj"): string {
  return (
    JSON.stringify({
      Type: "container",
      Action: action,
      Actor: { ID: id, Attributes: { name: `c-${id}`, "com.docker.compose.project": project } },
      time: Number(timeNano / 1_000_000_000n),
      timeNano: 0,
    }).replace('"timeNano":0', `"timeNano":${timeNano}`) + "\n"
  );
}

/** An `open` that hands out scripted streams or failures, recording the `since` it was asked for. */
function scriptedOpen(script: ("stream" | Error)[]) {
  const streams: PassThrough[] = [];
  const calls: { since: number | undefined; signal: AbortSignal }[] = [];
  const open = async (since: number | undefined, signal: AbortSignal): Promise<NodeJS.ReadableStream> => {
    calls.push({ since, signal });
    const step = script.shift() ?? new Error("script exhausted");
    if (step instanceof Error) throw step;
    const s = new PassThrough();
    streams.push(s);
    return s;
  };
  return { open, streams, calls };
}

describe("backoffDelay", () => {
  it("doubles from 200 ms and stays at 5 s", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 50].map((a) => backoffDelay(EVENT_STREAM_BACKOFF, a));
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });
});

describe("subscribeEventStream", () => {
  it("delivers events split across chunks, only for its projects, without health-check execs", async () => {
    const { open, streams } = scriptedOpen(["stream"]);
    const events: DockerEvent[] = [];
    const sub = subscribeEventStream({ open, projects: ["bgt-proj"], onEvent: (e) => events.push(e), timers: fakeTimers() });
    await tick();
    const text = line("start", "a", 1n) + line("exec_start: sh -c true", "a", 2n) + line("start", "b", 3n, "other") + line("die", "a", 4n);
    const stream = streams[0];
    if (!stream) throw new Error("no stream opened");
    for (let i = 0; i < text.length; i += 7) stream.write(text.slice(i, i + 7));
    await tick();
    expect(events.map((e) => `${e.action} ${e.containerId}`)).toEqual(["start a", "die a"]);
    sub.close();
  });

  it("reconnects with capped backoff, resumes since the last event and drops replays", async () => {
    const { open, streams, calls } = scriptedOpen(["stream", new Error("connect ENOENT"), new Error("connect ENOENT"), "stream"]);
    const timers = fakeTimers();
    const events: string[] = [];
    const statuses: EventStreamStatus[] = [];
    const sub = subscribeEventStream({
      open,
      projects: ["bgt-proj"],
      onEvent: (e) => events.push(`${e.action} ${e.containerId}`),
      onStatus: (s) => statuses.push(s),
      timers,
    });
    await tick();
    expect(calls[0]?.since).toBeUndefined();
    streams[0]?.write(line("start", "a", 1_700_000_000_500_000_000n) + line("health_status: healthy", "a", 1_700_000_000_600_000_000n));
    await tick();
    streams[0]?.end();
    await tick();
    expect(statuses.at(-1)).toEqual({ state: "reconnecting", attempt: 1, error: "the daemon closed the event stream" });

    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      delays.push(timers.runNext());
      await tick();
    }
    expect(delays).toEqual([200, 400, 800]);
    expect(statuses.map((s) => (s.state === "connected" ? "connected" : `reconnecting ${s.attempt}`))).toEqual([
      "connected",
      "reconnecting 1",
      "reconnecting 2",
      "reconnecting 3",
      "connected",
    ]);
    expect(calls.at(-1)?.since).toBe(sinceParam(1_700_000_000_600_000_000n));
    // The daemon replays from `since`: the event already delivered is dropped, the new one passes.
    streams[1]?.write(line("health_status: healthy", "a", 1_700_000_000_600_000_000n) + line("die", "a", 1_700_000_000_700_000_000n));
    await tick();
    expect(events).toEqual(["start a", "health_status: healthy a", "die a"]);
    sub.close();
  });

  it("resets the attempt count after a successful reconnect", async () => {
    const { open, streams } = scriptedOpen(["stream", "stream", "stream"]);
    const timers = fakeTimers();
    const statuses: EventStreamStatus[] = [];
    const sub = subscribeEventStream({ open, projects: [], onEvent: () => undefined, onStatus: (s) => statuses.push(s), timers });
    await tick();
    streams[0]?.destroy(new Error("socket hang up"));
    await tick();
    timers.runNext();
    await tick();
    streams[1]?.end();
    await tick();
    expect(statuses.filter((s) => s.state === "reconnecting")).toEqual([
      { state: "reconnecting", attempt: 1, error: "socket hang up" },
      { state: "reconnecting", attempt: 1, error: "the daemon closed the event stream" },
    ]);
    sub.close();
  });

  it("leaves no timer, request or stream behind after close", async () => {
    const { open, streams, calls } = scriptedOpen(["stream", new Error("ECONNREFUSED")]);
    const timers = fakeTimers();
    const statuses: EventStreamStatus[] = [];
    const sub = subscribeEventStream({ open, projects: [], onEvent: () => undefined, onStatus: (s) => statuses.push(s), timers });
    await tick();
    streams[0]?.end();
    await tick();
    timers.runNext();
    await tick();
    expect(timers.pending).toHaveLength(1);
    sub.close();
    expect(timers.pending).toHaveLength(0);
    expect(calls.every((c) => c.signal.aborted)).toBe(true);
    expect(streams[0]?.destroyed).toBe(true);
    const count = statuses.length;
    await tick();
    expect(statuses).toHaveLength(count);
  });

  it("closes a stream that opens after close was called", async () => {
    let release: (s: PassThrough) => void = () => undefined;
    const late = new PassThrough();
    const open = (): Promise<NodeJS.ReadableStream> => new Promise((r) => (release = r));
    const statuses: EventStreamStatus[] = [];
    const sub = subscribeEventStream({ open, projects: [], onEvent: () => undefined, onStatus: (s) => statuses.push(s), timers: fakeTimers() });
    sub.close();
    release(late);
    await tick();
    expect(late.destroyed).toBe(true);
    expect(statuses).toEqual([]);
  });
});
