/**
 * The health gate of a color: Docker's healthcheck for services that have one; for a service
 * without one, an HTTP check through the preview route at `health.path`. A service with neither is
 * an error, never silently healthy.
 */
import type { Color } from "../domain/color.js";
import type { ContainerInfo } from "../docker/types.js";
import { COLOR_HEADER_HELP } from "../net/color-header.js";
import type { OperationContext } from "./context.js";
import { EngineError } from "./errors.js";
import type { LiveSample } from "./ports.js";

/** Pure: the rotating service the proxy's upstream dials ("app-{color}:3000" → "app"), or null. */
export function serviceBehindRoute(upstream: string, services: string[]): string | null {
  const host = upstream.replace(/:\d+\s*$/, "");
  return services.find((s) => `${s}-{color}` === host) ?? null;
}

/**
 * Pure: why services without a Docker healthcheck cannot be gated, or null when they can.
 * `unchecked` are base service names (e.g. "app", "worker").
 */
export function healthGateProblem(unchecked: string[], color: Color, config: { upstream: string; services: string[]; healthPath: string | null; composeFile: string }): string | null {
  if (unchecked.length === 0) return null;
  const behind = serviceBehindRoute(config.upstream, config.services);
  const problems: string[] = [];
  const unreachable = unchecked.filter((s) => s !== behind);
  if (behind !== null && unchecked.includes(behind) && config.healthPath === null) {
    problems.push(
      `${behind}-${color} has no Docker healthcheck and health.path is not set, so bluegreen cannot tell when it is ready (a service is never assumed healthy). ` +
        `Fix one: add a healthcheck to ${behind}-${color} in ${config.composeFile} (e.g. healthcheck: { test: ["CMD", "curl", "-fsS", "http://localhost:3000/healthz"], interval: 2s }), ` +
        `or set health.path in bluegreen.yml (e.g. health: { path: /healthz }) to check it over HTTP through the preview route`,
    );
  }
  for (const s of unreachable) {
    problems.push(
      `${s}-${color} has no Docker healthcheck and is not behind the proxy's upstream (proxy.upstream ${config.upstream}), so health.path cannot reach it. ` +
        `Fix: add a healthcheck to ${s}-${color} in ${config.composeFile} (for a worker, a command that proves it works, e.g. test: ["CMD", "test", "-f", "/tmp/alive"])`,
    );
  }
  return problems.length > 0 ? problems.join("\n") : null;
}

/** Pure: is this answer of the HTTP health check a pass for `color`? */
export function httpHealthPass(sample: LiveSample, color: Color): { ok: boolean; detail: string } {
  if (sample.error !== null || sample.status === null) return { ok: false, detail: sample.error ?? "no answer" };
  if (sample.status < 200 || sample.status >= 400) return { ok: false, detail: `HTTP ${sample.status}` };
  if (sample.color !== null && sample.color !== color) return { ok: false, detail: `HTTP ${sample.status} from ${sample.color}, not ${color}` };
  return { ok: true, detail: `HTTP ${sample.status}${sample.color ? ` from ${sample.color}` : " (no color header)"}` };
}

/**
 * Throws a usage EngineError before anything is changed when a rotating service is known to have
 * no healthcheck (its compose file disables it, or the running color's container has none) and
 * nothing else can gate it.
 */
export async function checkHealthGateBeforeDeploy(ctx: OperationContext, target: Color, running: ContainerInfo[]): Promise<void> {
  const { config } = ctx;
  const without = new Set(running.filter((c) => c.state === "running" && c.health === "none").map((c) => c.service.replace(/-(blue|green)$/, "")));
  if (without.size === 0) return;
  const facts = await ctx.ports.platform.serviceFacts(target).catch(() => null);
  if (facts === null) return; // the health phase decides from the started containers
  const unchecked = config.services.filter((s) => without.has(s) && facts[`${s}-${target}`]?.healthcheck !== "declared");
  const problem = healthGateProblem(unchecked, target, { upstream: config.proxy.upstream, services: config.services, healthPath: config.health.path, composeFile: config.compose[target] });
  if (problem) throw new EngineError("usage", problem, "nothing was changed", "apply one of the fixes above, then deploy again");
}

/**
 * After Docker reports every container of the color running (and the ones with a healthcheck
 * healthy): the HTTP check of the services without one, through the preview route.
 */
export async function httpHealthGate(ctx: OperationContext, color: Color, unchecked: ContainerInfo[]): Promise<void> {
  const { config, ports } = ctx;
  const path = config.health.path;
  if (path === null) throw new Error("health.path is not set (checked by healthGateProblem before)");
  await ports.proxy.pointPreview(color);
  const url = `${config.proxy.previewUrl.replace(/\/+$/, "")}${path}`;
  // One preview route, one or more containers behind it: the proxy picks which one answers, so
  // several consecutive passes are required (twice the container count), which makes it likely,
  // not certain, that each one answered. Docker must also see every one of them still running.
  const needed = Math.max(2, unchecked.length * 2);
  const names = unchecked.map((c) => c.name).join(", ");
  ctx.log("info", `${names}: no Docker healthcheck; checking GET ${path} through the preview route (${needed} consecutive passes from ${color}${unchecked.length > 1 ? `; the proxy picks which of the ${unchecked.length} containers answers, so each is likely but not certain to be reached` : ""})`);
  let noColor = false;
  for (const c of unchecked) ctx.emit({ type: "health", container: c.name, health: "starting", detail: `HTTP GET ${path} via the preview route` });
  const { last } = await consecutivePasses(ctx, {
    url,
    needed,
    requestTimeoutMs: Math.min(5000, Math.max(1000, config.health.intervalMs * 2)),
    pauseMs: { pass: Math.min(200, config.health.intervalMs), fail: config.health.intervalMs },
    judge: (sample) => {
      if (sample.colorSource === "none") noColor = true;
      return httpHealthPass(sample, color);
    },
    timedOut: (lastDetail) => new Error(`${names} did not pass GET ${path} through the preview route within ${Math.round(config.health.timeoutMs / 1000)} s (last: ${lastDetail})`),
  });
  const now = await ports.platform.list(color);
  for (const c of unchecked) {
    const fresh = now.find((n) => n.id === c.id);
    if (!fresh || fresh.state !== "running" || fresh.restarts > c.restarts) {
      throw new Error(`${c.name} answered GET ${path} but is ${fresh ? `${fresh.state}${fresh.restarts > c.restarts ? `, restarted ${fresh.restarts - c.restarts} time(s)` : ""}` : "gone"}`);
    }
    ctx.emit({ type: "health", container: c.name, health: "healthy", detail: `GET ${path} via the preview route: ${last}` });
  }
  if (noColor) ctx.log("warn", `the preview route's answers carried no color header, so it is not proven they came from ${color}. ${COLOR_HEADER_HELP}`);
}

/**
 * The polling both preview-route gates share: one request at a time to `url` until `needed`
 * consecutive answers pass `judge`, pausing between them, bounded by the health timeout (past it,
 * throws `timedOut(last detail)`). Returns the last detail and how many answers failed.
 */
export async function consecutivePasses(
  ctx: OperationContext,
  o: {
    url: string;
    method?: "GET" | "HEAD";
    needed: number;
    requestTimeoutMs: number;
    pauseMs: { pass: number; fail: number };
    judge: (sample: LiveSample) => { ok: boolean; detail: string };
    timedOut: (last: string) => Error;
  },
): Promise<{ last: string; failures: number }> {
  const { ports } = ctx;
  const deadline = ports.clock.now() + ctx.config.health.timeoutMs;
  let passes = 0;
  let failures = 0;
  let last = "no answer yet";
  while (passes < o.needed) {
    ctx.checkAborted("", "");
    if (ports.clock.now() > deadline) throw o.timedOut(last);
    const sample = await ports.live.once(o.url, { ...(o.method ? { method: o.method } : {}), timeoutMs: o.requestTimeoutMs, signal: ctx.signal });
    const verdict = o.judge(sample);
    last = verdict.detail;
    passes = verdict.ok ? passes + 1 : 0;
    if (!verdict.ok) failures++;
    if (passes < o.needed) await ports.clock.sleep(verdict.ok ? o.pauseMs.pass : o.pauseMs.fail, ctx.signal).catch(() => undefined);
  }
  return { last, failures };
}
