import type { Config } from "../../src/config/types.js";
import { otherColor, type Color } from "../../src/domain/color.js";
import { Engine } from "../../src/engine/engine.js";
import type { Ports } from "../../src/engine/ports.js";
import { createComposePlatform } from "../../src/platform/compose/platform.js";
import type { RecordedState } from "../../src/engine/status-model.js";
import { FakeClock } from "./clock.js";
import { FakeServiceFacts } from "./service-facts.js";
import { FakeCompose } from "./compose.js";
import { FakeDocker } from "./docker.js";
import { FakeHealthWaiter } from "./health.js";
import { FakeHooks } from "./hooks.js";
import { FakeProxy } from "./proxy.js";
import { FakeHistory, FakeLock, FakeStateStore } from "./records.js";
import { ReleaseScripts, type ColorScripts } from "./scripts.js";
import { FakeConnectionCounter, FakeLiveProbe, FakeNetwork, FakeSmoke } from "./traffic.js";

export const STACK = "shop";

/** A resolved config like loadConfig returns, with short (virtual) timings. */
export function fakeConfig(overrides: Partial<Config> = {}): Config {
  return {
    file: "/srv/shop/bluegreen.yml",
    root: "/srv/shop",
    stack: STACK,
    compose: { shared: "/srv/shop/compose.yml", blue: "/srv/shop/compose.blue.yml", green: "/srv/shop/compose.green.yml" },
    services: ["app"],
    env: { PROXY_PORT: "18080", PREVIEW_PORT: "18081" },
    proxy: {
      driver: "nginx",
      service: "proxy",
      runDir: "/srv/shop/.bluegreen/run",
      upstream: "app-{color}:3000",
      liveUrl: "http://127.0.0.1:18080",
      previewUrl: "http://127.0.0.1:18081",
    },
    health: { timeoutMs: 30_000, intervalMs: 1_000, path: null },
    drain: { timeoutMs: 10_000 },
    smoke: { spec: "/srv/shop/smoke.yml", expectVersionHeader: "X-App-Version" },
    verify: { durationMs: 2_000, intervalMs: 100, path: "/", method: "GET", urls: [] },
    stop: { timeoutMs: null },
    versionVariable: "BLUEGREEN_VERSION",
    keepOldWarm: false,
    stateDir: "/srv/shop/.bluegreen",
    hooks: { dir: "/srv/shop/.bluegreen/hooks", timeoutMs: 60_000 },
    migrate: null,
    docker: { host: null },
    ...overrides,
  };
}

export type SlotSeed = { version: string; state?: "running" | "stopped" | "unhealthy" };

export interface StackSeed {
  /** The shared project's proxy container; "running" by default. */
  proxy?: "running" | "stopped" | "absent";
  /** Where the proxy's live route points. */
  live?: Color | null;
  blue?: SlotSeed;
  green?: SlotSeed;
  /** The state file: "derived" (default) records what the seed describes; "corrupt" fails to read. */
  state?: Omit<RecordedState, "updatedAt" | "updatedBy"> | null | "derived" | "corrupt";
}

/** The whole fake stack: one Docker, compose, proxy, files and probes that agree with each other. */
export class FakeStack {
  readonly config: Config;
  readonly clock = new FakeClock();
  readonly identity = { user: "alice", host: "build-01" };
  readonly releases = new ReleaseScripts();
  /** Per-color release behaviour: `stack.scripts.green.failure = "unhealthy"`. */
  readonly scripts: ColorScripts = this.releases.byColor;
  readonly docker: FakeDocker;
  readonly compose: FakeCompose;
  readonly proxy: FakeProxy;
  readonly state: FakeStateStore;
  readonly lock: FakeLock;
  readonly history = new FakeHistory();
  readonly network: FakeNetwork;
  readonly smoke: FakeSmoke;
  readonly live: FakeLiveProbe;
  readonly connections = new FakeConnectionCounter();
  readonly health: FakeHealthWaiter;
  /** No hooks until a test adds some: `stack.hooks.add("pre-switch", { exitCode: 1 })`. */
  readonly hooks: FakeHooks;
  /** What `docker-compose config` would say per compose service (default: nothing declared). */
  readonly serviceFacts = new FakeServiceFacts();
  readonly ports: Ports;
  readonly engine: Engine;

  constructor(configOverrides: Partial<Config> = {}) {
    this.config = fakeConfig(configOverrides);
    const c = this.config;
    this.docker = new FakeDocker(this.clock);
    this.compose = new FakeCompose(this.docker, this.clock, { stack: c.stack, services: c.services, proxyService: c.proxy.service, versionVariable: c.versionVariable }, this.releases);
    this.proxy = new FakeProxy(this.docker, {
      project: c.stack,
      service: c.proxy.service,
      liveUrl: c.proxy.liveUrl,
      previewUrl: c.proxy.previewUrl,
      defaultLive: "blue",
      defaultPreview: "green",
    });
    this.state = new FakeStateStore(this.clock, this.identity);
    this.lock = new FakeLock(this.clock, this.identity);
    this.network = new FakeNetwork(this.docker, this.proxy, this.releases, c.proxy.liveUrl);
    this.smoke = new FakeSmoke(this.network, this.clock);
    this.live = new FakeLiveProbe(this.network, this.clock);
    this.health = new FakeHealthWaiter(this.docker, this.clock);
    this.hooks = new FakeHooks(this.clock);
    this.ports = {
      config: c,
      // The real compose platform over the fake Docker and compose.
      platform: createComposePlatform(c, { docker: this.docker, compose: this.compose, health: this.health, serviceFacts: this.serviceFacts, connections: this.connections }),
      proxy: this.proxy,
      state: this.state,
      lock: this.lock,
      history: this.history,
      smoke: this.smoke,
      live: this.live,
      hooks: this.hooks,
      clock: this.clock,
      identity: this.identity,
    };
    this.engine = new Engine(this.ports);
  }

  /** A stack already running as described; the seeding itself records no compose calls. */
  static seeded(seed: StackSeed, configOverrides: Partial<Config> = {}): FakeStack {
    const stack = new FakeStack(configOverrides);
    stack.seed(seed);
    return stack;
  }

  seed(seed: StackSeed): void {
    const proxy = seed.proxy ?? "running";
    if (proxy !== "absent") {
      this.compose.startShared();
      if (proxy === "stopped") this.stop(this.compose.projectOf("shared"));
    }
    if (seed.live !== undefined) this.proxy.live = seed.live;
    for (const color of ["blue", "green"] as const) {
      const slot = seed[color];
      if (!slot) continue;
      this.compose.startColor(color, slot.version, true);
      if (slot.state === "stopped") this.stop(this.compose.projectOf(color));
      if (slot.state === "unhealthy") {
        for (const c of this.docker.byColor(color)) this.docker.update(c.id, { health: "unhealthy", lastHealthOutput: '503 {"status":"unhealthy"}' });
      }
    }
    const state = seed.state === undefined ? "derived" : seed.state;
    if (state === "corrupt") this.state.corrupt = "Unexpected end of JSON input at position 31";
    else if (state === "derived") this.state.current = this.derivedState(seed);
    else if (state) this.state.current = { ...state, updatedAt: new Date(this.clock.now() - 3_600_000).toISOString(), updatedBy: "bob@build-02" };
    this.state.writes.length = 0;
  }

  private derivedState(seed: StackSeed): RecordedState | null {
    const active = seed.live ?? null;
    if (!active) return null;
    const other = otherColor(active);
    const versions: Partial<Record<Color, string>> = {};
    for (const color of ["blue", "green"] as const) {
      const v = seed[color]?.version;
      if (v) versions[color] = v;
    }
    const otherSlot = seed[other];
    return {
      active,
      previous: otherSlot ? other : null,
      versions,
      warm: otherSlot !== undefined && (otherSlot.state ?? "running") === "running",
      updatedAt: new Date(this.clock.now() - 3_600_000).toISOString(),
      updatedBy: "bob@build-02",
    };
  }

  private stop(project: string): void {
    for (const c of this.docker.byProject(project)) this.docker.update(c.id, { state: "exited", exitCode: 0 });
  }

  /** Container ids of a color, in creation order. */
  ids(color: Color): string[] {
    return this.docker.byColor(color).map((c) => c.id);
  }

  stateOf(color: Color): "running" | "stopped" | "absent" {
    const cs = this.docker.byColor(color);
    if (cs.length === 0) return "absent";
    return cs.every((c) => c.state === "running") ? "running" : "stopped";
  }

  versionOf(color: Color): string | null {
    return this.docker.byColor(color)[0]?.version ?? null;
  }
}
