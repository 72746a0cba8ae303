import { join } from "node:path";
import type { Config } from "../config/types.js";
import { otherColor, type Color } from "../domain/color.js";
import { CADDY_ROUTE_IDS, type CaddyProxyHandler, type CaddyRoute, caddyErrorText, findReverseProxy, upstreamsBody } from "./caddy-config.js";
import { ProxyChangeRejected, RouteDriver } from "./driver.js";
import { describeError, ProxyControlError } from "./errors.js";
import { unixHttp, type UnixHttpResponse } from "./unix-http.js";
import { colorOfUpstream, upstreamFor } from "./upstream.js";

/**
 * Caddy: routes `bg-live` / `bg-preview` each end in a reverse_proxy with one upstream. A change is
 * a PATCH of that handler's upstreams through the admin API on <runDir>/caddy-admin.sock; Caddy
 * applies it (or refuses it and keeps the old config) before answering, and autosaves it under
 * <runDir>/caddy so a restarted proxy resumes with it.
 */
export class CaddyDriver extends RouteDriver {
  readonly name = "caddy" as const;
  private readonly runDir: string;
  private readonly upstreamTemplate: string;

  constructor(config: Pick<Config, "proxy">) {
    super();
    this.runDir = config.proxy.runDir;
    this.upstreamTemplate = config.proxy.upstream;
  }

  get adminSocket(): string {
    return join(this.runDir, "caddy-admin.sock");
  }

  protected async describeControl(): Promise<string> {
    const live = await this.handler("live");
    return `Caddy admin API ${this.adminSocket} answers: bg-live dials ${live.dials.join(", ") || "nothing"}`;
  }

  protected async routeTarget(route: CaddyRoute): Promise<Color | null> {
    const { dials } = await this.handler(route);
    // The first upstream serves; a second one on the live route is the fallback (see upstreamsBody).
    if (dials.length < 1 || dials.length > 2 || dials[0] === undefined) return null;
    return colorOfUpstream(this.upstreamTemplate, dials[0]);
  }

  /** The route's reverse_proxy handler as the running Caddy has it. */
  private async handler(route: CaddyRoute): Promise<CaddyProxyHandler> {
    const id = CADDY_ROUTE_IDS[route];
    const response = await this.admin("GET", `/id/${id}`, undefined, "The routing in force is unknown from here.");
    if (response.status !== 200) {
      throw new ProxyControlError(
        `Caddy's admin API answered ${response.status} to GET /id/${id}: ${caddyErrorText(response.body)}. ` +
          `The routing in force is unknown. Check that the proxy runs bluegreen's Caddy config (routes with @id ` +
          `"bg-live" and "bg-preview"); an old autosave in ${join(this.runDir, "caddy")} may have replaced it.`,
        response.body,
      );
    }
    try {
      return findReverseProxy(JSON.parse(response.body), id);
    } catch (error) {
      throw new ProxyControlError(
        `${describeError(error)}. The routing in force is unknown. Restore bluegreen's Caddy route shape, then retry.`,
        response.body,
      );
    }
  }

  protected async route(route: CaddyRoute, color: Color): Promise<void> {
    const id = CADDY_ROUTE_IDS[route];
    const dial = upstreamFor(this.upstreamTemplate, color);
    const body = upstreamsBody(dial, route === "live" ? upstreamFor(this.upstreamTemplate, otherColor(color)) : undefined);
    const wanted = body.map((u) => u.dial);
    const before = await this.handler(route);
    const now = `${route} still dials ${before.dials.join(", ") || "nothing"}`;
    // Already in force: a config change would only cost the clients' idle connections.
    if (before.dials.join(" ") === wanted.join(" ")) return;

    const path = `/id/${id}/handle/${before.index}/upstreams`;
    const response = await this.admin("PATCH", path, JSON.stringify(body), `Before the change: ${now}.`);
    if (response.status !== 200) {
      const reason = caddyErrorText(response.body);
      throw new ProxyChangeRejected(
        `Caddy rejected ${route} -> ${color} (PATCH ${path} answered ${response.status}: ${reason}). ` +
          `Caddy keeps its previous config: ${now}. Fix the cause above, then retry.`,
        reason,
      );
    }
    const after = await this.handler(route);
    if (after.dials.join(" ") !== wanted.join(" ")) {
      throw new ProxyControlError(
        `Caddy accepted ${route} -> ${color} but reads back ${after.dials.join(", ") || "no upstream"} for route ${id}. ` +
          `Something else changed Caddy's config at the same time; check it (GET /id/${id}) and retry.`,
        JSON.stringify(after),
      );
    }
  }

  private async admin(method: "GET" | "PATCH", path: string, body: string | undefined, state: string): Promise<UnixHttpResponse> {
    try {
      return await unixHttp(this.adminSocket, method, path, { body, timeoutMs: 5000, host: "" });
    } catch (error) {
      throw new ProxyControlError(
        `Cannot reach Caddy's admin API on ${this.adminSocket} (${method} ${path}): ${describeError(error)}. ${state} ` +
          `Check that the proxy container is running and that proxy.runDir is the directory mounted at /run/bluegreen in it.`,
        describeError(error),
      );
    }
  }
}
