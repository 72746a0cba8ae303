import { join } from "node:path";
import type { Config } from "../config/types.js";
import type { Color } from "../domain/color.js";
import { restoreFile, writeFileAtomic } from "../fs/atomic-write.js";
import { readFileNoFollow } from "../fs/no-follow.js";
import { ProxyChangeRejected, RouteDriver } from "./driver.js";
import { describeError, ProxyControlError } from "./errors.js";
import type { FindProxyContainer, ProxyExec } from "./exec.js";
import { type NginxAdminTargets, type NginxRoute, parseNginxAdminTargets, renderNginxInclude } from "./nginx-include.js";
import { isMissingShell, NGINX_OLD_WORKERS_EXIT, NGINX_TEST_FAILED_EXIT, nginxReloadArgv } from "./nginx-reload.js";
import { sleep } from "./poll.js";
import { unixHttp } from "./unix-http.js";
import { ensureNginxRouteDir } from "./run-dir.js";
import { upstreamFor } from "./upstream.js";

/** What `status` says about how this nginx switches. */
export function describeNginxMode(mode: NginxAdminTargets["mode"]): string {
  if (mode === "njs") return "route read per request by njs: a switch needs no reload";
  if (mode === "reload") return "no njs module: a switch reloads nginx";
  return "route mode not reported: a switch reloads nginx";
}

/** Consecutive admin answers from new workers that must agree before a change counts as applied. */
const CONFIRMATIONS = 4;
/** nginx's master lets old workers accept for 100 ms after starting new ones; margin for a busy host. */
const MASTER_OVERLAP_MS = 250;

export interface NginxDriverOptions {
  /** How long to wait for the reloaded workers to report the new routing. */
  reloadTimeoutMs?: number;
}

/**
 * nginx: each route includes <runDir>/nginx/<route>.conf; a change is written there, checked with
 * `nginx -t` and applied with `nginx -s reload` inside the proxy container. Reads come from the
 * admin server on <runDir>/nginx-admin.sock, which answers from the running workers.
 */
export class NginxDriver extends RouteDriver {
  readonly name = "nginx" as const;
  private readonly runDir: string;
  private readonly upstreamTemplate: string;
  private readonly reloadTimeoutMs: number;

  constructor(
    config: Pick<Config, "proxy">,
    private readonly docker: ProxyExec,
    private readonly proxyContainer: FindProxyContainer,
    options: NginxDriverOptions = {},
  ) {
    super();
    this.runDir = config.proxy.runDir;
    this.upstreamTemplate = config.proxy.upstream;
    this.reloadTimeoutMs = options.reloadTimeoutMs ?? 2000;
  }

  get adminSocket(): string {
    return join(this.runDir, "nginx-admin.sock");
  }

  includeFile(route: NginxRoute): string {
    return join(this.runDir, "nginx", `${route}.conf`);
  }

  protected async routeTarget(route: NginxRoute): Promise<Color | null> {
    return (await this.targets())[route];
  }

  protected async describeControl(): Promise<string> {
    const targets = await this.targets();
    return `nginx admin socket ${this.adminSocket} answers: live=${targets.live ?? "?"}, preview=${targets.preview ?? "?"} (worker ${targets.pid ?? "?"}, ${describeNginxMode(targets.mode)})`;
  }

  /** The routing of the running workers, from the admin socket. */
  async targets(): Promise<NginxAdminTargets & { how: string }> {
    let response;
    try {
      response = await unixHttp(this.adminSocket, "GET", "/bluegreen/targets");
    } catch (error) {
      throw new ProxyControlError(
        `Cannot reach nginx's admin socket ${this.adminSocket}: ${describeError(error)}. ` +
          `The routing in force is unknown from here. Check that the proxy container is running and that ` +
          `proxy.runDir is the directory mounted at /run/bluegreen in it.`,
        describeError(error),
      );
    }
    if (response.status !== 200) {
      throw new ProxyControlError(
        `nginx's admin socket answered ${response.status} to GET /bluegreen/targets: ${response.body.slice(0, 200)}. ` +
          `The routing in force is unknown. Check that the proxy runs bluegreen's nginx.conf (admin server block).`,
        response.body,
      );
    }
    const targets = parseNginxAdminTargets(response.body);
    return { ...targets, how: describeNginxMode(targets.mode) };
  }

  /** `nginx -t`, then `nginx -s reload`, waiting out the old workers; a rejected config reloads nothing. */
  async reload(): Promise<void> {
    const container = await this.findContainer("nothing was reloaded");
    const polls = Math.max(1, Math.round(this.reloadTimeoutMs / 10));
    const result = await this.docker.exec(container, nginxReloadArgv(polls));
    const output = (result.stderr || result.stdout).trim();
    if (result.exitCode === NGINX_TEST_FAILED_EXIT) {
      throw new ProxyChangeRejected(`nginx rejected its configuration (nginx -t): ${output}. Nothing was reloaded; the running workers keep the old configuration. Fix it, then reload again.`, output);
    }
    if (result.exitCode !== 0) throw new ProxyControlError(`nginx reload failed (exit ${result.exitCode}): ${output}. Check the proxy's logs (docker logs ${container}).`, output);
  }

  protected async route(route: NginxRoute, color: Color): Promise<void> {
    const upstream = upstreamFor(this.upstreamTemplate, color);
    const before = await this.targets();
    const beforeColor = before[route];
    const now = `${route} still goes to ${beforeColor ?? "an unknown color"}`;
    const file = this.includeFile(route);
    const previous = await readFileNoFollow(file);
    const wanted = renderNginxInclude({ color, upstream });
    // Already in force and on disk: a reload would only cost the clients' idle connections.
    if (beforeColor === color && previous === wanted) return;
    if (before.mode === "njs") return this.routePerRequest(route, color, file, previous, wanted, now);
    const container = await this.findContainer(now);

    await ensureNginxRouteDir(this.runDir);
    await writeFileAtomic(file, wanted);

    // One exec: test, reload, wait out the old workers (each docker exec costs ~100 ms).
    const polls = Math.max(1, Math.round(this.reloadTimeoutMs / 10));
    let reload = await this.exec(container, nginxReloadArgv(polls), file, previous, now);
    let oldWorkersUnchecked = false;
    let test = reload.exitCode === NGINX_TEST_FAILED_EXIT ? reload : null;
    if (isMissingShell(reload.exitCode, reload.stderr + reload.stdout)) {
      // No sh in this image: test and reload plainly, and sit out the master's 100 ms overlap below.
      test = await this.exec(container, ["nginx", "-t"], file, previous, now);
      if (test.exitCode === 0) reload = await this.exec(container, ["nginx", "-s", "reload"], file, previous, now);
      oldWorkersUnchecked = true;
    }
    if (test && test.exitCode !== 0) {
      await restoreFile(file, previous);
      const output = (test.stderr || test.stdout).trim();
      throw new ProxyChangeRejected(
        `nginx rejected the configuration for ${route} -> ${color} (nginx -t): ${output}. ` +
          `Nothing was reloaded and ${file} is restored: ${now}. ` +
          `Fix the proxy's nginx configuration (see the message above), then retry.`,
        output,
      );
    }

    if (reload.exitCode === NGINX_OLD_WORKERS_EXIT) {
      throw new ProxyControlError(
        `nginx reloaded ${route} -> ${color}, but after ${this.reloadTimeoutMs} ms workers started before the reload were ` +
          `still accepting connections (${reload.stderr.trim()}), so some requests may still go the old way. ` +
          `${file} asks for ${color}. Check the proxy's logs (docker logs ${container}), then retry.`,
        reload.stderr.trim(),
      );
    }
    if (reload.exitCode !== 0) {
      await restoreFile(file, previous);
      const output = (reload.stderr || reload.stdout).trim();
      throw new ProxyChangeRejected(
        `nginx -s reload failed for ${route} -> ${color}: ${output}. ${file} is restored; ${now}. ` +
          `Check the proxy container's logs (docker logs ${container}), then retry.`,
        output,
      );
    }

    // The old workers have stopped accepting; the admin socket confirms that the new ones serve
    // the change (several answers in a row from a worker that is not the one asked before).
    const deadline = Date.now() + this.reloadTimeoutMs;
    let last: NginxAdminTargets | null = null;
    let lastError: unknown = null;
    let agreeing = 0;
    while (Date.now() < deadline) {
      try {
        last = await this.targets();
        const fromNewWorker = before.pid === null || last.pid !== before.pid;
        agreeing = last[route] === color && fromNewWorker ? agreeing + 1 : 0;
        if (agreeing >= CONFIRMATIONS) {
          if (oldWorkersUnchecked) await sleep(MASTER_OVERLAP_MS);
          return;
        }
      } catch (error) {
        lastError = error;
        agreeing = 0;
      }
      await sleep(agreeing > 0 ? 15 : 10);
    }
    throw new ProxyControlError(
      `nginx accepted ${route} -> ${color} and was told to reload, but after ${this.reloadTimeoutMs} ms its admin ` +
        `socket still reports ${route}=${last?.[route] ?? "unknown"}${lastError ? ` (${describeError(lastError)})` : ""}. ` +
        `${file} asks for ${color}. Check the proxy's logs (docker logs ${container}) for a failed reload, then retry.`,
      describeError(lastError ?? `still ${last?.[route] ?? "unknown"}`),
    );
  }

  /**
   * njs mode: every request reads the route file, so the atomic write is the switch. No reload, no
   * exec, no worker replaced, no connection closed. The admin answer reads the same file the same
   * way, so one answer naming the new color means new requests go there.
   */
  private async routePerRequest(route: NginxRoute, color: Color, file: string, previous: string | null, wanted: string, now: string): Promise<void> {
    // 0755 dir, 0644 file: nginx's workers (nobody) read it for every request.
    await ensureNginxRouteDir(this.runDir);
    await writeFileAtomic(file, wanted);
    const deadline = Date.now() + this.reloadTimeoutMs;
    let last: NginxAdminTargets | null = null;
    let lastError: unknown = null;
    for (;;) {
      try {
        last = await this.targets();
        if (last[route] === color) return;
        lastError = null;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) break;
      await sleep(10);
    }
    await restoreFile(file, previous);
    const seen = last?.[route] ?? "unknown";
    throw new ProxyChangeRejected(
      `nginx (njs route) did not take ${route} -> ${color}: after ${this.reloadTimeoutMs} ms its admin socket reports ` +
        `${route}=${seen}${lastError ? ` (${describeError(lastError)})` : ""}. ${file} is restored: ${now}. ` +
        `Check that ${file} is readable by nginx's workers and the proxy's logs (docker logs), then retry.`,
      describeError(lastError ?? `still ${seen}`),
    );
  }

  private async findContainer(now: string): Promise<string> {
    try {
      return await this.proxyContainer();
    } catch (error) {
      throw new ProxyControlError(
        `Cannot find the nginx proxy container to reload it: ${describeError(error)}. Nothing was changed: ${now}. ` +
          `Start the stack's proxy service, then retry.`,
        describeError(error),
      );
    }
  }

  /** docker exec; on failure to run at all, put the include file back first. */
  private async exec(container: string, argv: string[], file: string, previous: string | null, now: string) {
    try {
      return await this.docker.exec(container, argv);
    } catch (error) {
      await restoreFile(file, previous);
      throw new ProxyControlError(
        `Could not run \`${argv.join(" ")}\` in the proxy container ${container}: ${describeError(error)}. ` +
          `${file} is restored and nothing was reloaded: ${now}. Check that the container is running, then retry.`,
        describeError(error),
      );
    }
  }
}
