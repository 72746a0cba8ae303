/**
 * Time from a switch command to "every new request is served by the new color", measured from the
 * outside: a probe loop sends a request through the live route every few ms while the command runs.
 * For each switch the figure is: send time of the first probe after which every probe (until the
 * next switch) got a 2xx from the new color, minus the time the command started.
 */
import { startClock, type RunClock } from "../load/clock.js";
import { startProbeLoop } from "../load/probe.js";
import { countBy, summarizeLatency } from "../load/stats.js";
import type { LatencySummary, ProbeSample } from "../load/types.js";
import { otherColor, type Color } from "../src/domain/color.js";

export interface SwitchTiming {
  to: Color;
  /** How long the command itself took (start → it returned), ms. */
  commandMs: number;
  /** Command start → first probe after which all were answered by `to`; null if that never happened. */
  newColorMs: number | null;
  probes: number;
  hard: number;
  keepAliveCloses: number;
  /** Failed probes by code ("timeout", "http-503", "ECONNRESET"…). */
  codes: Record<string, number>;
}

export interface SwitchSeries {
  timings: SwitchTiming[];
  /** Probe loop timing error (actual − scheduled send time), ms. */
  probeJitter: LatencySummary;
  /** Response time of the probes: how loaded the machine and the route were during the series. */
  probeLatency: LatencySummary;
  probeIntervalMs: number;
  /** The first command failure, which ended the series early. */
  error: string | null;
}

export interface SwitchSeriesOptions {
  liveUrl: string;
  /** Further live URLs that must all serve the new color too (one per proxy replica, on swarm); the slowest one times the switch. */
  alsoUrls?: string[];
  count: number;
  /** Switches to this color and back (the first goes away from the color the live route serves). */
  act: (to: Color) => Promise<void>;
  /** Probing continues this long after a command returned, before the next one starts. */
  settleMs?: number;
  probeIntervalMs?: number;
  /** Hard bound of the whole series. */
  maxDurationMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pure: the timing of one switch from the probes sent in its window (any order). */
export function timingFromSamples(samples: ProbeSample[], to: Color, startMs: number, commandMs: number): SwitchTiming {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const wrong = (s: ProbeSample) => s.error !== null || s.color !== to;
  let lastWrong = -1;
  sorted.forEach((s, i) => {
    if (wrong(s)) lastWrong = i;
  });
  const first = sorted[lastWrong + 1];
  return {
    to,
    commandMs,
    newColorMs: first ? Math.max(0, first.t - startMs) : null,
    probes: sorted.length,
    hard: sorted.filter((s) => s.error === "hard").length,
    keepAliveCloses: sorted.filter((s) => s.error === "keepalive-close").length,
    codes: countBy(sorted, (s) => s.errorCode),
  };
}

async function currentColor(clock: RunClock, liveUrl: string): Promise<Color> {
  const loop = startProbeLoop({ url: liveUrl, intervalMs: 20, maxDurationMs: 200, maxCount: 10, clock });
  await loop.finished;
  await loop.stop();
  const colors = new Set(loop.samples.map((s) => s.color));
  const only = [...colors][0];
  if (colors.size !== 1 || !only) {
    throw new Error(`the live route ${liveUrl} does not answer from one color before the series (saw: ${[...colors].join(", ")}); nothing was switched`);
  }
  return only;
}

/** Pure: one switch seen through several URLs: done when the slowest is; probes and failures add up. */
export function mergeTimings(perUrl: SwitchTiming[]): SwitchTiming {
  const first = perUrl[0] as SwitchTiming;
  const done = perUrl.every((t) => t.newColorMs !== null);
  const codes: Record<string, number> = {};
  for (const t of perUrl) for (const [code, n] of Object.entries(t.codes)) codes[code] = (codes[code] ?? 0) + n;
  return {
    to: first.to,
    commandMs: first.commandMs,
    newColorMs: done ? Math.max(...perUrl.map((t) => t.newColorMs as number)) : null,
    probes: perUrl.reduce((n, t) => n + t.probes, 0),
    hard: perUrl.reduce((n, t) => n + t.hard, 0),
    keepAliveCloses: perUrl.reduce((n, t) => n + t.keepAliveCloses, 0),
    codes,
  };
}

export async function timeSwitchSeries(o: SwitchSeriesOptions): Promise<SwitchSeries> {
  const clock = startClock();
  const intervalMs = o.probeIntervalMs ?? 5;
  const settleMs = o.settleMs ?? 300;
  const urls = [o.liveUrl, ...(o.alsoUrls ?? [])];
  const colors = await Promise.all(urls.map((url) => currentColor(clock, url)));
  if (new Set(colors).size !== 1) throw new Error(`the live URLs answer from different colors before the series (${urls.map((u, i) => `${u}: ${colors[i]}`).join(", ")}); nothing was switched`);
  let color = colors[0] as Color;
  const loops = urls.map((url) => startProbeLoop({ url, intervalMs, maxDurationMs: o.maxDurationMs, clock, timeoutMs: 2000, connections: 8 }));
  const windows: { to: Color; start: number; commandMs: number }[] = [];
  let error: string | null = null;
  try {
    await sleep(200);
    for (let i = 0; i < o.count && clock() < o.maxDurationMs - 5000; i++) {
      const to = otherColor(color);
      const start = clock();
      try {
        await o.act(to);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        break;
      }
      windows.push({ to, start, commandMs: clock() - start });
      color = to;
      await sleep(settleMs);
    }
  } finally {
    await Promise.all(loops.map((l) => l.stop()));
  }
  const end = clock();
  const timings = windows.map((w, i) => {
    const until = windows[i + 1]?.start ?? end;
    // A probe answered after the next command started may already show the next switch: it
    // belongs to neither window (on a loaded machine a probe can be in flight for a long time).
    const perUrl = loops.map((loop) => timingFromSamples(loop.samples.filter((s) => s.t >= w.start && s.t + s.latencyMs < until), w.to, w.start, w.commandMs));
    return mergeTimings(perUrl);
  });
  return {
    timings,
    probeJitter: summarizeLatency(loops.flatMap((l) => l.jitterMs)),
    probeLatency: summarizeLatency(loops.flatMap((l) => l.samples.map((s) => s.latencyMs))),
    probeIntervalMs: intervalMs,
    error,
  };
}

export interface SwitchSummary {
  runs: number;
  /** Runs where the new color never served every probe before the next switch. */
  incomplete: number;
  newColor: LatencySummary;
  command: LatencySummary;
  hard: number;
  keepAliveCloses: number;
  codes: Record<string, number>;
}

export function summarizeSeries(series: SwitchSeries): SwitchSummary {
  const done = series.timings.map((t) => t.newColorMs).filter((ms): ms is number => ms !== null);
  return {
    runs: series.timings.length,
    incomplete: series.timings.length - done.length,
    newColor: summarizeLatency(done),
    command: summarizeLatency(series.timings.map((t) => t.commandMs)),
    hard: series.timings.reduce((n, t) => n + t.hard, 0),
    keepAliveCloses: series.timings.reduce((n, t) => n + t.keepAliveCloses, 0),
    codes: series.timings.reduce<Record<string, number>>((all, t) => {
      for (const [code, n] of Object.entries(t.codes)) all[code] = (all[code] ?? 0) + n;
      return all;
    }, {}),
  };
}
