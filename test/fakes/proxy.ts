import type { Color } from "../../src/domain/color.js";
import { ProxyChangeRejected, type ProxyDriver } from "../../src/proxy/driver.js";
import type { FakeDocker } from "./docker.js";

export interface FakeProxyOptions {
  project: string;
  service: string;
  liveUrl: string;
  previewUrl: string;
  /** Where the live route points before anyone switched it (nginx defaults to blue, see CONTRACTS). */
  defaultLive: Color | null;
  defaultPreview: Color | null;
}

/**
 * A proxy whose control channel answers only while its container runs in the fake Docker. It keeps
 * its routing across restarts (like the saved state of the real drivers) and routes the fake
 * probes' requests to the color its live or preview route points at.
 */
export class FakeProxy implements ProxyDriver {
  readonly name = "nginx" as const;
  live: Color | null;
  preview: Color | null;
  /** Every switchLive, in order. */
  readonly switches: Color[] = [];
  /** Every pointPreview, in order. */
  readonly previewPoints: Color[] = [];
  /** The control channel does not answer although the container runs. */
  unreachable = false;
  /** The next switchLive is rejected (config test fails); the routing stays. */
  rejectNextSwitch: string | null = null;
  /** Live requests keep reaching this color whatever the proxy reports (stale workers). */
  liveTrafficStuckOn: Color | null = null;

  constructor(
    private readonly docker: FakeDocker,
    private readonly opts: FakeProxyOptions,
  ) {
    this.live = opts.defaultLive;
    this.preview = opts.defaultPreview;
  }

  running(): boolean {
    return this.docker.byProject(this.opts.project).some((c) => c.service === this.opts.service && c.state === "running");
  }

  private control(): void {
    if (!this.running()) throw new Error("connect ENOENT /run/bluegreen/nginx-admin.sock: the proxy container is not running");
    if (this.unreachable) throw new Error("GET /bluegreen/targets on unix:/run/bluegreen/nginx-admin.sock timed out after 2000 ms");
  }

  /** Times `reload()` ran (nginx reloading its own config in place). */
  reloads = 0;

  async reload(): Promise<void> {
    this.control();
    this.reloads += 1;
  }

  async liveTarget(): Promise<Color | null> {
    this.control();
    return this.live;
  }

  async previewTarget(): Promise<Color | null> {
    this.control();
    return this.preview;
  }

  async switchLive(color: Color): Promise<void> {
    this.control();
    if (this.rejectNextSwitch) {
      const why = this.rejectNextSwitch;
      this.rejectNextSwitch = null;
      throw new ProxyChangeRejected(`nginx rejected the change to ${color}; live still routes to ${this.live ?? "nothing"}`, why);
    }
    this.switches.push(color);
    this.live = color;
  }

  async pointPreview(color: Color): Promise<void> {
    this.control();
    this.previewPoints.push(color);
    this.preview = color;
  }

  async ping(): Promise<{ ok: boolean; detail: string }> {
    try {
      this.control();
      return { ok: true, detail: `nginx routes live to ${this.live ?? "nothing"}` };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }

  /** Which color a request to `url` reaches, or why it reaches none. */
  route(url: string): { color: Color } | { error: string } | { status: number } {
    if (!this.running()) return { error: `connect ECONNREFUSED ${new URL(url).host}` };
    const isLive = url.startsWith(this.opts.liveUrl);
    const isPreview = url.startsWith(this.opts.previewUrl);
    if (!isLive && !isPreview) return { error: `fake proxy: ${url} is neither the live nor the preview route` };
    const color = isLive ? (this.liveTrafficStuckOn ?? this.live) : this.preview;
    if (!color) return { status: 502 };
    return { color };
  }
}
