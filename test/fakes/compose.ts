import type { Color } from "../../src/domain/color.js";
import type { ComposeRunner, ComposeTarget, ContainerInfo, OneOffResult } from "../../src/docker/types.js";
import { abortError, type FakeClock } from "./clock.js";
import type { FakeDocker } from "./docker.js";
import type { ReleaseScripts } from "./scripts.js";

export type ComposeVerb = "build" | "up" | "stop" | "down" | "run";

export interface ComposeCall {
  verb: ComposeVerb;
  project: string;
  files: string[];
  env: Record<string, string>;
  opts: { build?: boolean; recreate?: boolean; volumes?: boolean; timeoutSec?: number; service?: string; argv?: string[]; timeoutMs?: number };
}

export interface FakeLayout {
  stack: string;
  /** Rotating services by base name: `app` runs as `app-blue` / `app-green`. */
  services: string[];
  proxyService: string;
  /** The env var the version arrives in (config.versionVariable). */
  versionVariable: string;
}

/**
 * Compose v1 against the fake Docker: `up` of a color creates its containers, which come up
 * healthy or not according to that color's script; `stop` exits them; `down` removes them.
 */
export class FakeCompose implements ComposeRunner {
  readonly calls: ComposeCall[] = [];
  /** false: the colors' containers have no Docker healthcheck (health "none"), like many apps. */
  healthcheck = true;
  /** true: the app ignores SIGTERM, so `stop` waits the whole timeout and then kills it (exit 137). */
  ignoresSigterm = false;
  private readonly failures: Array<{ verb: ComposeVerb; project: string; message: string }> = [];
  private seq = 0;

  constructor(
    private readonly docker: FakeDocker,
    private readonly clock: FakeClock,
    private readonly layout: FakeLayout,
    private readonly scripts: ReleaseScripts,
  ) {}

  /** Makes the next `verb` on `project` fail with `message` (like a non-zero compose exit). */
  failNext(verb: ComposeVerb, project: string, message: string): void {
    this.failures.push({ verb, project, message });
  }

  async variant(): Promise<"v1"> {
    return "v1";
  }

  async build(target: ComposeTarget, onLine?: (line: string) => void, opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    this.record("build", target, {});
    onLine?.(`Building ${target.project} (${this.layout.versionVariable}=${target.env[this.layout.versionVariable] ?? "?"})`);
  }

  async up(target: ComposeTarget, upOpts: { build?: boolean; recreate?: boolean; signal?: AbortSignal } = {}, onLine?: (line: string) => void): Promise<void> {
    const { signal, ...opts } = upOpts;
    if (signal?.aborted) throw abortError(signal);
    this.record("up", target, { ...opts });
    const color = this.colorOf(target.project);
    if (color === null) {
      this.startShared();
      onLine?.(`Creating ${target.project}_${this.layout.proxyService}_1 ... done`);
      return;
    }
    const version = target.env[this.layout.versionVariable] ?? "latest";
    this.startColor(color, version, opts.recreate === true);
    onLine?.(`Creating ${target.project} at ${version} ... done`);
  }

  async stop(target: ComposeTarget, timeoutSec?: number): Promise<void> {
    this.record("stop", target, timeoutSec === undefined ? {} : { timeoutSec });
    const killed = this.ignoresSigterm && this.colorOf(target.project) !== null;
    if (killed) this.clock.advance((timeoutSec ?? 10) * 1000);
    for (const c of this.docker.byProject(target.project)) {
      if (c.state !== "running") continue;
      this.docker.appendLogs(c.id, killed ? ["(no answer to SIGTERM)"] : ["received SIGTERM, draining", "closed"]);
      this.docker.update(c.id, { state: "exited", exitCode: killed ? 137 : 0, health: c.health === "none" ? "none" : "unhealthy" }, "die");
    }
  }

  /** How the next one-off runs end (a migration): exit code, output, ms taken; default exit 0 at once. */
  readonly oneOffs: Array<{ exitCode: number | null; lines?: string[]; ms?: number; timedOut?: boolean }> = [];

  async runOnce(target: ComposeTarget, service: string, argv: string[], opts: { timeoutMs: number; onLine?: (line: string) => void }): Promise<OneOffResult> {
    this.record("run", target, { service, argv: [...argv], timeoutMs: opts.timeoutMs });
    const next = this.oneOffs.shift() ?? { exitCode: 0, lines: ["migrated"] };
    if (next.ms) this.clock.advance(next.ms);
    for (const line of next.lines ?? []) opts.onLine?.(line);
    return { exitCode: next.exitCode, timedOut: next.timedOut ?? false, aborted: false, lines: next.lines ?? [], command: `docker-compose -p ${target.project} run --rm --no-deps -T ${service} ${argv.join(" ")}` };
  }

  async down(target: ComposeTarget, opts: { volumes?: boolean } = {}): Promise<void> {
    this.record("down", target, { ...opts });
    for (const c of this.docker.byProject(target.project)) this.docker.remove(c.id);
  }

  /** Projects touched by compose calls, in order. */
  projects(): string[] {
    return this.calls.map((c) => c.project);
  }

  // --- the world model, also used to seed a scenario ---

  projectOf(color: Color | "shared"): string {
    return color === "shared" ? this.layout.stack : `${this.layout.stack}-${color}`;
  }

  startShared(): void {
    const project = this.projectOf("shared");
    for (const service of [this.layout.proxyService, "redis"]) {
      const existing = this.docker.byProject(project).find((c) => c.service === service);
      if (existing) {
        if (existing.state !== "running") this.docker.update(existing.id, { state: "running", startedAt: this.iso(), exitCode: null }, "start");
        continue;
      }
      this.docker.add(this.container(project, service, null, null, { state: "running", health: "none" }), [`${service} started`]);
    }
  }

  /** Starts a color at `version`: recreates its containers unless matching stopped ones can be restarted. */
  startColor(color: Color, version: string, recreate: boolean): void {
    const project = this.projectOf(color);
    const existing = this.docker.byProject(project);
    const reuse = !recreate && existing.length > 0 && existing.every((c) => c.version === version);
    if (!reuse) for (const c of existing) this.docker.remove(c.id);
    for (const base of this.layout.services) {
      const service = `${base}-${color}`;
      const old = reuse ? existing.find((c) => c.service === service) : undefined;
      const { patch, logs } = this.bootAccordingToScript(color, version);
      if (old) {
        if (old.state === "running") continue;
        this.docker.appendLogs(old.id, logs);
        this.docker.update(old.id, { ...patch, restarts: old.restarts }, patch.state === "running" ? "start" : "die");
      } else {
        const info = this.container(project, service, color, version, patch);
        this.docker.add(info, logs);
        if (patch.state === "exited") this.docker.update(info.id, {}, "die");
      }
    }
  }

  private bootAccordingToScript(color: Color, version: string): { patch: Partial<ContainerInfo> & Pick<ContainerInfo, "state" | "health">; logs: string[] } {
    const started = { startedAt: this.iso(), exitCode: null, lastHealthOutput: null };
    const hello = `app ${color} ${version} listening on :3000`;
    switch (this.scripts.failureOf(color, version)) {
      case "unhealthy":
        return {
          patch: { ...started, state: "running", health: "unhealthy", lastHealthOutput: '503 {"status":"unhealthy","checks":{"redis":"disconnected"}}' },
          logs: [hello, "Error: connect ECONNREFUSED redis:6379", "health check: redis disconnected"],
        };
      case "crash-on-start":
        return { patch: { ...started, state: "exited", health: "unhealthy", exitCode: 1 }, logs: ["Error: Cannot find module '/app/server.js'", "node exited with code 1"] };
      case "slow-start":
        return { patch: { ...started, state: "running", health: "starting" }, logs: [`app ${color} ${version} warming caches…`] };
      default:
        return { patch: { ...started, state: "running", health: this.healthcheck ? "healthy" : "none" }, logs: [hello] };
    }
  }

  private container(project: string, service: string, color: Color | null, version: string | null, patch: Partial<ContainerInfo>): ContainerInfo {
    this.seq += 1;
    return {
      id: `${service}-${this.seq}`,
      name: `${project}_${service}_1`,
      project,
      service,
      color,
      version,
      image: color ? `shop/app:${version ?? "latest"}` : `bluegreen/base-${service}:local`,
      state: "running",
      health: "healthy",
      lastHealthOutput: null,
      startedAt: this.iso(),
      restarts: 0,
      exitCode: null,
      ...patch,
    };
  }

  private colorOf(project: string): Color | null {
    if (project === this.projectOf("blue")) return "blue";
    if (project === this.projectOf("green")) return "green";
    if (project === this.projectOf("shared")) return null;
    throw new Error(`fake compose: unknown project ${project}`);
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private record(verb: ComposeVerb, target: ComposeTarget, opts: ComposeCall["opts"]): void {
    this.calls.push({ verb, project: target.project, files: [...target.files], env: { ...target.env }, opts });
    const i = this.failures.findIndex((f) => f.verb === verb && f.project === target.project);
    if (i >= 0) {
      const [failure] = this.failures.splice(i, 1);
      throw new Error(`\`docker-compose -p ${target.project} ${verb}\` failed with exit code 1.\nLast output:\n  ${failure?.message ?? ""}`);
    }
  }
}
