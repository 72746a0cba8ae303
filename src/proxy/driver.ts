import type { Color } from "../domain/color.js";

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
  /** Both routes in one read, for proxies that answer them together (optional); `how` says how it switches. */
  targets?(): Promise<{ live: Color | null; preview: Color | null; how?: string }>;
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
