import type { Color } from "../../src/domain/color.js";
import type { ContainerInfo } from "../../src/docker/types.js";
import type { SmokeCheckSummary } from "../../src/engine/events.js";
import type { LiveProbePort, LiveSample, SmokePort } from "../../src/engine/ports.js";
import type { ConnectionCounter } from "../../src/platform/compose/platform.js";
import type { FakeClock } from "./clock.js";
import type { FakeDocker } from "./docker.js";
import type { FakeProxy } from "./proxy.js";
import type { ReleaseScripts } from "./scripts.js";

export interface FakeResponse {
  status: number | null;
  color: Color | null;
  version: string | null;
  error: string | null;
}

/**
 * One HTTP request through the fake proxy: it reaches the color the route points at and answers
 * as that color's script says. A crash-after-switch release dies on its first live request.
 */
export class FakeNetwork {
  readonly requests: Array<{ url: string; response: FakeResponse }> = [];
  /** The proxy answers its own 502 to this many more requests routed to the color (a stale or pending DNS lookup). */
  readonly unreachable: Partial<Record<Color, number>> = {};

  constructor(
    private readonly docker: FakeDocker,
    private readonly proxy: FakeProxy,
    private readonly scripts: ReleaseScripts,
    private readonly liveUrl: string,
  ) {}

  request(url: string): FakeResponse {
    const response = this.answer(url);
    this.requests.push({ url, response });
    return response;
  }

  private answer(url: string): FakeResponse {
    const route = this.proxy.route(url);
    if ("error" in route) return { status: null, color: null, version: null, error: route.error };
    if ("status" in route) return { status: route.status, color: null, version: null, error: null };
    const color = route.color;
    const stale = this.unreachable[color] ?? 0;
    if (stale > 0) {
      this.unreachable[color] = stale - 1;
      return { status: 502, color, version: null, error: null };
    }
    const serving = this.docker.byColor(color).filter((c) => c.state === "running");
    const app = serving[0];
    if (!app) return { status: 502, color: null, version: null, error: null };
    const failure = this.scripts.failureOf(color, app.version);
    if (failure === "crash-after-switch" && url.startsWith(this.liveUrl)) {
      for (const c of serving) {
        this.docker.appendLogs(c.id, ["FATAL: out of memory under live traffic", "Killed"]);
        this.docker.update(c.id, { state: "exited", exitCode: 137, health: "unhealthy" }, "die");
      }
      return { status: 502, color: null, version: null, error: null };
    }
    if (failure === "error-rate") return { status: 500, color, version: app.version, error: null };
    if (app.health === "unhealthy") return { status: 503, color, version: app.version, error: null };
    return { status: 200, color, version: app.version, error: null };
  }
}

/** Smoke checks against the preview route: health answers 200, right version, right color. */
export class FakeSmoke implements SmokePort {
  readonly runs: Array<{ baseUrl: string; expectVersion: string | null; expectColor: Color | null }> = [];
  /** When set, the configured spec does not load (validate throws this). */
  specError: string | null = null;
  validations = 0;

  constructor(
    private readonly network: FakeNetwork,
    private readonly clock: FakeClock,
  ) {}

  async validate(): Promise<void> {
    this.validations += 1;
    if (this.specError) throw new Error(`smoke spec /srv/shop/smoke.yml is invalid: ${this.specError}. Nothing was run. What to do: fix the spec and run again.`);
  }

  async run(
    baseUrl: string,
    opts: { expectVersion: string | null; expectColor: Color | null; signal?: AbortSignal; onCheck?: (c: SmokeCheckSummary) => void },
  ): Promise<{ ok: boolean; checks: SmokeCheckSummary[] }> {
    this.runs.push({ baseUrl, expectVersion: opts.expectVersion, expectColor: opts.expectColor });
    const checks: SmokeCheckSummary[] = [];
    const check = async (name: string, path: string, judge: (r: FakeResponse) => string | null): Promise<void> => {
      const t0 = this.clock.now();
      await this.clock.sleep(5);
      const r = this.network.request(`${baseUrl}${path}`);
      const problem = judge(r);
      const summary = { name, ok: problem === null, durationMs: this.clock.now() - t0, detail: problem ?? `HTTP ${r.status}` };
      checks.push(summary);
      opts.onCheck?.(summary);
    };
    const statusOk = (r: FakeResponse): string | null => (r.error ? r.error : r.status !== 200 ? `expected HTTP 200, got ${r.status}` : null);
    await check("GET /health answers 200", "/health", statusOk);
    await check("GET / serves the expected version", "/", (r) => statusOk(r) ?? (opts.expectVersion && r.version !== opts.expectVersion ? `X-App-Version is ${r.version}, expected ${opts.expectVersion}` : null));
    await check("GET / comes from the expected color", "/", (r) => statusOk(r) ?? (opts.expectColor && r.color !== opts.expectColor ? `X-App-Color is ${r.color}, expected ${opts.expectColor}` : null));
    return { ok: checks.every((c) => c.ok), checks };
  }
}

/** Requests through the live route every interval for the duration; stops early (keeping what it has) on abort. */
export class FakeLiveProbe implements LiveProbePort {
  constructor(
    private readonly network: FakeNetwork,
    private readonly clock: FakeClock,
  ) {}

  readonly urls: Array<{ url: string; method: string }> = [];

  async once(url: string, opts: { method?: "GET" | "HEAD"; timeoutMs: number }): Promise<LiveSample> {
    this.urls.push({ url, method: opts.method ?? "GET" });
    const r = this.network.request(url);
    return { status: r.status, color: r.color, error: r.error, colorSource: r.color ? "proxy" : "none" };
  }

  async sample(url: string, opts: { durationMs: number; intervalMs: number; method?: "GET" | "HEAD"; signal?: AbortSignal; onProgress?: (s: LiveSample[]) => void }): Promise<LiveSample[]> {
    this.urls.push({ url, method: opts.method ?? "GET" });
    const samples: LiveSample[] = [];
    const count = Math.max(1, Math.floor(opts.durationMs / Math.max(1, opts.intervalMs)));
    for (let i = 0; i < count && !opts.signal?.aborted; i++) {
      const r = this.network.request(url);
      samples.push({ status: r.status, color: r.color, error: r.error });
      opts.onProgress?.([...samples]);
      try {
        await this.clock.sleep(opts.intervalMs, opts.signal);
      } catch {
        break;
      }
    }
    return samples;
  }
}

/** Open connections per color, scripted as a queue of readings (0 once the queue is empty). */
export class FakeConnectionCounter implements ConnectionCounter {
  readonly readings: Record<Color, number[]> = { blue: [], green: [] };
  readonly asked: Array<{ containers: string[]; port: number }> = [];

  async count(containers: ContainerInfo[], port: number): Promise<number> {
    this.asked.push({ containers: containers.map((c) => c.name), port });
    const color = containers.find((c) => c.color)?.color;
    if (!color) return 0;
    return this.readings[color].shift() ?? 0;
  }
}
