import type { Color } from "../domain/color.js";
import type { ContainerInfo } from "../docker/types.js";
import type { OperationContext } from "./context.js";
import { consecutivePasses, healthGateProblem, httpHealthGate } from "./health-gate.js";
import { errorMessage } from "./errors.js";
import { COLOR_HEADER_HELP } from "../net/color-header.js";
import type { ServiceFacts } from "../platform/compose/service-facts.js";
import type { LiveSample } from "./ports.js";
import type { RecordedState } from "./status-model.js";

/** Building blocks shared by the operations. Each does one I/O step and reports it as events. */

export async function colorContainers(ctx: OperationContext, color: Color): Promise<ContainerInfo[]> {
  return ctx.ports.platform.list(color);
}

/** The environment through which a version reaches the compose files: `versionVariable` (default BLUEGREEN_VERSION). */
export function versionEnv(ctx: OperationContext, version: string): Record<string, string> {
  return { [ctx.config.versionVariable]: version };
}

export async function startColor(
  ctx: OperationContext,
  color: Color,
  version: string,
  opts: { build: boolean; recreate: boolean },
): Promise<void> {
  // The abort reaches the platform's command itself: an interrupted start ends in seconds, not when it is done.
  await ctx.ports.platform.start(color, { env: versionEnv(ctx, version), ...opts, signal: ctx.signal, onLine: ctx.platformLine });
}

export async function buildColor(ctx: OperationContext, color: Color, version: string): Promise<void> {
  await ctx.ports.platform.build(color, { env: versionEnv(ctx, version), signal: ctx.signal, onLine: ctx.platformLine });
}

/** Docker's own default: SIGKILL 10 s after SIGTERM. */
export const DOCKER_STOP_TIMEOUT_MS = 10_000;

export interface StopTimeout {
  ms: number;
  /** Where it came from, for the events: "stop.timeout", "stop_grace_period of app-blue", "Docker's default". */
  source: string;
}

/** Pure: stop.timeout, else the longest stop_grace_period of the color's services, else Docker's 10 s. */
export function resolveStopTimeout(configured: number | null, facts: Record<string, ServiceFacts> | null, services: string[]): StopTimeout {
  if (configured !== null) return { ms: configured, source: "stop.timeout" };
  let best: StopTimeout | null = null;
  for (const service of services) {
    const grace = facts?.[service]?.stopGracePeriodMs ?? null;
    if (grace !== null && (best === null || grace > best.ms)) best = { ms: grace, source: `stop_grace_period of ${service}` };
  }
  return best ?? { ms: DOCKER_STOP_TIMEOUT_MS, source: "Docker's default (no stop.timeout, no stop_grace_period)" };
}

export interface StopReport {
  timeout: StopTimeout;
  /** Containers that did not exit on SIGTERM within the timeout and were killed (exit 137). */
  killed: string[];
  ms: number;
}

/** Pure: the operator's warning for containers that needed SIGKILL. */
export function describeKilled(color: Color, report: StopReport): string {
  const seconds = Math.round(report.timeout.ms / 100) / 10;
  return (
    `${report.killed.join(", ")} did not stop on SIGTERM within ${seconds} s (${report.timeout.source}) and ${report.killed.length === 1 ? "was" : "were"} killed (exit 137): ` +
    `stopping ${color} took ${Math.round(report.ms / 100) / 10} s instead of moments. Most often the app runs as PID 1 and ignores SIGTERM: ` +
    `add \`init: true\` to the service in compose.${color}.yml (or handle SIGTERM in the app: stop accepting, finish in-flight requests, exit)`
  );
}

/**
 * Stops a color with the resolved stop timeout and reports containers that had to be killed.
 * `timeoutMs` overrides it (a new color that failed before the switch is stopped quickly).
 */
export async function stopColor(ctx: OperationContext, color: Color, timeoutMs?: number): Promise<StopReport> {
  const services = ctx.config.services.map((s) => `${s}-${color}`);
  let timeout: StopTimeout;
  if (timeoutMs !== undefined) timeout = { ms: timeoutMs, source: "a failed release is stopped quickly" };
  else {
    const facts = ctx.config.stop.timeoutMs === null ? await ctx.ports.platform.serviceFacts(color).catch((err: unknown) => {
      ctx.log("warn", `could not read stop_grace_period from the compose files (${errorMessage(err)}); using Docker's default`);
      return null;
    }) : null;
    timeout = resolveStopTimeout(ctx.config.stop.timeoutMs, facts, services);
  }
  const running = new Set((await colorContainers(ctx, color)).filter((c) => c.state === "running").map((c) => c.id));
  const t0 = ctx.ports.clock.now();
  await ctx.ports.platform.stop(color, timeout.ms);
  const ms = ctx.ports.clock.now() - t0;
  const after = await colorContainers(ctx, color).catch(() => []);
  const killed = after.filter((c) => running.has(c.id) && c.exitCode === 137).map((c) => c.name);
  const report = { timeout, killed, ms };
  if (killed.length > 0 && timeoutMs === undefined) ctx.log("warn", describeKilled(color, report));
  return report;
}

export async function waitColorHealthy(ctx: OperationContext, color: Color): Promise<void> {
  const containers = await colorContainers(ctx, color);
  const wanted = new Set(ctx.config.services.map((s) => `${s}-${color}`));
  const ids = containers.filter((c) => wanted.has(c.service)).map((c) => c.id);
  if (ids.length === 0) throw new Error(`no containers of ${color} exist after starting it`);
  // Right after `up`, a container with a healthcheck reports "starting": "none" means it has none.
  const unchecked = containers.filter((c) => wanted.has(c.service) && c.health === "none");
  const problem = healthGateProblem(
    [...new Set(unchecked.map((c) => c.service.replace(/-(blue|green)$/, "")))],
    color,
    { upstream: ctx.config.proxy.upstream, services: ctx.config.services, healthPath: ctx.config.health.path, composeFile: ctx.config.compose[color] },
  );
  if (problem) throw new Error(problem);
  await ctx.ports.platform.waitHealthy(ids, {
    timeoutMs: ctx.config.health.timeoutMs,
    intervalMs: ctx.config.health.intervalMs,
    signal: ctx.signal,
    onHealth: (c) => {
      if (c.health !== "none") ctx.emit({ type: "health", container: c.name, health: c.health, ...(c.lastHealthOutput ? { detail: c.lastHealthOutput } : {}) });
    },
  });
  if (unchecked.length > 0) {
    const running = (await colorContainers(ctx, color)).filter((c) => unchecked.some((u) => u.id === c.id));
    await httpHealthGate(ctx, color, running);
  }
}

/** The last log lines of a color's containers, for error messages. */
export async function logsTail(ctx: OperationContext, color: Color, lines = 15): Promise<string> {
  try {
    const containers = await colorContainers(ctx, color);
    const parts: string[] = [];
    for (const c of containers) {
      const text = (await ctx.ports.platform.logs(c.id, lines)).trimEnd();
      parts.push(`--- ${c.name} (${c.state}${c.exitCode !== null && c.state !== "running" ? `, exit ${c.exitCode}` : ""}) last ${lines} log lines:\n${text || "(no output)"}`);
    }
    return parts.join("\n");
  } catch (err) {
    return `(could not read logs: ${errorMessage(err)})`;
  }
}

export interface LiveVerdict {
  ok: boolean;
  requests: number;
  failures: number;
  reason: string;
}

/** Pure: does a sample of live responses show the expected color serving every request without errors? */
export function judgeLiveSamples(samples: LiveSample[], expected: Color): LiveVerdict {
  const failures = samples.filter((s) => s.error !== null || s.status === null || s.status >= 500);
  const wrongColor = samples.filter((s) => s.error === null && s.status !== null && s.status < 500 && s.color !== expected);
  if (samples.length === 0) return { ok: false, requests: 0, failures: 0, reason: "no request through the live route completed" };
  if (failures.length > 0) {
    const first = failures[0] as LiveSample;
    const what = first.error ?? `HTTP ${first.status}`;
    return { ok: false, requests: samples.length, failures: failures.length, reason: `${failures.length} of ${samples.length} requests failed (first: ${what})` };
  }
  if (wrongColor.length > 0) {
    const unknown = wrongColor.filter((s) => s.color === null).length;
    const shown = wrongColor.find((s) => s.color !== null)?.color ?? "an unknown color";
    return {
      ok: false,
      requests: samples.length,
      failures: wrongColor.length,
      reason:
        `${wrongColor.length} of ${samples.length} responses came from ${shown}, not ${expected}` +
        (unknown > 0 ? ` (${unknown} carried no color header). ${COLOR_HEADER_HELP}` : ""),
    };
  }
  return { ok: true, requests: samples.length, failures: 0, reason: `${samples.length} requests, all from ${expected}` };
}

/** Pure: one verdict from each URL's; a failing URL is named (with one URL, its verdict as it is). */
export function combineVerdicts(each: { url: string; verdict: LiveVerdict }[], expected: Color): LiveVerdict {
  if (each.length === 1) return (each[0] as { verdict: LiveVerdict }).verdict;
  const requests = each.reduce((n, e) => n + e.verdict.requests, 0);
  const failures = each.reduce((n, e) => n + e.verdict.failures, 0);
  const bad = each.filter((e) => !e.verdict.ok);
  if (bad.length > 0) return { ok: false, requests, failures, reason: bad.map((e) => `through ${e.url}: ${e.verdict.reason}`).join("; ") };
  return { ok: true, requests, failures: 0, reason: `${requests} requests through ${each.length} live URLs, all from ${expected}` };
}

/**
 * Requests through the live route for the configured time; fails fast when a container of the
 * expected color dies (Docker event) so a crashing release is switched back within moments.
 */
export async function verifyLive(ctx: OperationContext, expected: Color): Promise<LiveVerdict> {
  const abort = new AbortController();
  const onOuter = () => abort.abort();
  ctx.signal.addEventListener("abort", onOuter, { once: true });
  let died: string | null = null;
  const sub = ctx.ports.platform.watch([expected], (ev) => {
    if (ev.action === "die" || ev.action === "kill" || ev.action === "stop" || ev.action.startsWith("health_status: unhealthy")) {
      died = `${ev.name}: ${ev.action}`;
      abort.abort();
    }
  });
  try {
    // proxy.live and every verify.urls entry (each swarm node's proxy, say) at the same time; progress is their sum.
    const bases = [ctx.config.proxy.liveUrl, ...ctx.config.verify.urls];
    const latest: LiveSample[][] = bases.map(() => []);
    const perUrl = await Promise.all(
      bases.map((base, i) =>
        ctx.ports.live.sample(routeUrl(base, ctx.config.verify.path), {
          durationMs: ctx.config.verify.durationMs,
          intervalMs: ctx.config.verify.intervalMs,
          method: ctx.config.verify.method,
          signal: abort.signal,
          onProgress: (some) => {
            latest[i] = some;
            const all = latest.flat();
            const colors: Partial<Record<Color, number>> = {};
            for (const s of all) if (s.color) colors[s.color] = (colors[s.color] ?? 0) + 1;
            ctx.emit({ type: "verify-progress", requests: all.length, failures: all.filter((s) => s.error || (s.status ?? 500) >= 500).length, colors });
          },
        }),
      ),
    );
    // An extra URL nothing answered on at all (a lost swarm node's proxy) is named, not judged: the
    // switch already read every replica back, and a node that is down must not fail every deploy.
    // proxy.live is always judged; an extra URL that answered some requests and failed others fails.
    const judged = perUrl.map((samples, i) => ({ url: bases[i] as string, samples })).filter(({ samples }, i) => {
      const unreached = i > 0 && samples.length > 0 && samples.every((s) => s.error !== null && s.status === null);
      if (unreached) ctx.log("warn", `verify: nothing answered through ${bases[i]} (${samples[0]?.error}): left out of the verdict`);
      return !unreached;
    });
    const verdict = combineVerdicts(judged.map(({ url, samples }) => ({ url, verdict: judgeLiveSamples(samples, expected) })), expected);
    if (died) return { ...verdict, ok: false, reason: `${died} during verification; ${verdict.reason}` };
    return verdict;
  } finally {
    sub.close();
    ctx.signal.removeEventListener("abort", onOuter);
  }
}

/** Consecutive answers from the color through the preview route before a switch may send it live traffic. */
export const ROUTED_PASSES = 3;
const PROXY_FAILURES = new Set([502, 503, 504]);

/**
 * Points the preview route at `color` and waits until the proxy really reaches it there:
 * ROUTED_PASSES consecutive answers from `color` at the verify path that are not the proxy's own 502/503/504. Docker's healthcheck
 * runs inside the container; the proxy can still hold a stale or pending lookup of the color's
 * name (nginx resolves per request, and a lookup sent while the color was down fails every request
 * waiting on it when it times out). The live route shares that resolver, so a switch made before
 * this passes fails its first requests (seen: 4 of 32 verify requests, HTTP 502, on a rollback that
 * had just started the stopped color). Bounded by the health timeout.
 */
export async function waitProxyReaches(ctx: OperationContext, color: Color): Promise<void> {
  const { config, ports } = ctx;
  await ports.proxy.pointPreview(color);
  const url = routeUrl(config.proxy.previewUrl, config.verify.path);
  const { failures } = await consecutivePasses(ctx, {
    url,
    method: config.verify.method,
    needed: ROUTED_PASSES,
    requestTimeoutMs: 5000,
    pauseMs: { pass: 20, fail: 100 },
    // 502/503/504 are the proxy's own (no upstream answered); any other status is the app's, for
    // smoke and verify to judge.
    judge: (sample) => ({
      ok: sample.error === null && sample.status !== null && !PROXY_FAILURES.has(sample.status) && (sample.color === color || sample.color === null),
      detail: sample.error ?? (sample.status === null ? "no answer" : `HTTP ${sample.status}${sample.color ? ` from ${sample.color}` : ""}`),
    }),
    timedOut: (last) =>
      new Error(
        `the proxy did not reach ${color} through the preview route (${config.verify.method} ${url}) within ${Math.round(config.health.timeoutMs / 1000)} s although Docker reports it healthy (last: ${last}); ` +
          `look at the proxy's log (\`docker logs\` of its container) for lookups of ${config.proxy.upstream.replace("{color}", color)} that fail`,
      ),
  });
  if (failures > 0) ctx.log("info", `the proxy reached ${color} through the preview route after ${failures} failed request(s)`);
}

/** Waits until the color serves no connection (requests in flight, WebSockets), up to the drain timeout. */
export async function drainColor(ctx: OperationContext, color: Color, port: number): Promise<{ drained: boolean; left: number; ms: number }> {
  const t0 = ctx.ports.clock.now();
  const deadline = t0 + ctx.config.drain.timeoutMs;
  const containers = (await colorContainers(ctx, color)).filter((c) => c.state === "running");
  let left = 0;
  for (;;) {
    left = await ctx.ports.platform.connections(containers, port);
    const remainingMs = Math.max(0, deadline - ctx.ports.clock.now());
    ctx.emit({ type: "drain-progress", color, connections: left, remainingMs });
    if (left === 0 || remainingMs === 0 || ctx.signal.aborted) break;
    await ctx.ports.clock.sleep(Math.min(250, remainingMs), ctx.signal).catch(() => undefined);
  }
  return { drained: left === 0, left, ms: ctx.ports.clock.now() - t0 };
}

/** Switches the proxy and records the new state; the proxy's read-back is the truth. */
export async function switchLive(ctx: OperationContext, to: Color, previous: Color | null, versions: RecordedState["versions"], warm: boolean): Promise<void> {
  await ctx.ports.proxy.switchLive(to);
  // nginx can still answer from an old worker for a moment after its reload (seen under load, after
  // the driver's own confirmations): read back until the proxy agrees, bounded in time and count.
  const deadline = ctx.ports.clock.now() + 3000;
  let now = await ctx.ports.proxy.liveTarget();
  for (let i = 0; now !== to && i < 60 && ctx.ports.clock.now() < deadline; i++) {
    await ctx.ports.clock.sleep(50);
    now = await ctx.ports.proxy.liveTarget();
  }
  if (now !== to) throw new Error(`the proxy reports it routes to ${now ?? "nothing"} after being told to switch to ${to}`);
  await ctx.ports.state.write({ active: to, previous, versions, warm });
}

/** A route's base URL joined with a request path ("/healthz"), keeping a base path prefix. */
export function routeUrl(base: string, path: string): string {
  const url = new URL(base);
  const [pathname, query] = path.split("?", 2) as [string, string | undefined];
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${pathname}`;
  url.search = query === undefined ? "" : `?${query}`;
  return url.href;
}

/** The upstream port of the rotating services, from the proxy's upstream template ("app-{color}:3000"). */
export function upstreamPort(template: string): number {
  const m = /:(\d+)\s*$/.exec(template);
  return m ? Number(m[1]) : 80;
}
