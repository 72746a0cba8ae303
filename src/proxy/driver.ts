import type { Color } from "../domain/color.js";
import type { ReplicaTargets } from "../domain/replicas.js";

export type { ReplicaTargets };
import { describeError } from "./errors.js";

/**
 * One interface, three proxies (nginx, Caddy, HAProxy). Every read comes from the running proxy
 * itself, never from a file we wrote: the proxy is the source of truth for which color is live.
 */
export interface ProxyDriver {
  readonly name: "nginx" | "caddy" | "haproxy";
  /** The color the live route sends new requests to right now, or null if none/unknown. */
  liveTarget(): Promise<Color | null>;
  /** The color the preview route sends to right now, or null. */
  previewTarget(): Promise<Color | null>;
  /**
   * Both routes in one read, for proxies that answer them together (optional); `how` says how it
   * switches. A proxy of several replicas lists each one's routing in `replicas`; where they
   * disagree, that route reads null here (and liveTarget/previewTarget throw).
   */
  targets?(): Promise<{ live: Color | null; preview: Color | null; how?: string; replicas?: ReplicaTargets[] }>;
  /** Point the live route at `color`. Resolves once the proxy reports the change. */
  switchLive(color: Color): Promise<void>;
  /** Point the preview route at `color` (the standby) for pre-switch smoke tests. */
  pointPreview(color: Color): Promise<void>;
  /** Is the proxy's control channel answering? */
  ping(): Promise<{ ok: boolean; detail: string }>;
  /**
   * Reloads the proxy's own configuration in place (a changed, bind-mounted config file), keeping
   * its routing and its connections. Absent: the driver cannot; a restart is the way to roll out.
   */
  reload?(): Promise<void>;
}

/** The proxy's two routes: live traffic, and the preview of the standby color. */
export type ProxyRoute = "live" | "preview";

/**
 * The part every driver shares: the ProxyDriver calls are reads and changes of its two routes, and a
 * ping is the control channel describing itself. A driver says how to read and point one route.
 */
export abstract class RouteDriver implements ProxyDriver {
  abstract readonly name: ProxyDriver["name"];
  /** The color `route` sends new requests to, read from the running proxy, or null. */
  protected abstract routeTarget(route: ProxyRoute): Promise<Color | null>;
  /** Points `route` at `color`; resolves once the running proxy reports it. */
  protected abstract route(route: ProxyRoute, color: Color): Promise<void>;
  /** What the control channel answers, for ping; throws when it does not answer. */
  protected abstract describeControl(): Promise<string>;

  liveTarget(): Promise<Color | null> {
    return this.routeTarget("live");
  }

  previewTarget(): Promise<Color | null> {
    return this.routeTarget("preview");
  }

  switchLive(color: Color): Promise<void> {
    return this.route("live", color);
  }

  pointPreview(color: Color): Promise<void> {
    return this.route("preview", color);
  }

  async ping(): Promise<{ ok: boolean; detail: string }> {
    try {
      return { ok: true, detail: await this.describeControl() };
    } catch (error) {
      return { ok: false, detail: describeError(error) };
    }
  }
}

/** Raised when the proxy refused a change; the previous routing is still in force. */
export class ProxyChangeRejected extends Error {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
    this.name = "ProxyChangeRejected";
  }
}
