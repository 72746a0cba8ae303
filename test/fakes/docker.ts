import type { Color } from "../../src/domain/color.js";
import type { ContainerInfo, DockerEvent, DockerPort, EventStreamStatus, EventSubscription, ExecResult } from "../../src/docker/types.js";
import type { FakeClock } from "./clock.js";

interface Subscriber {
  projects: Set<string>;
  onEvent: (event: DockerEvent) => void;
}

/**
 * An in-memory Docker Engine: containers by id, their logs, and an event stream. The fake compose
 * runner creates and stops containers here; the fake proxy and probes read them.
 */
export class FakeDocker implements DockerPort {
  readonly containers = new Map<string, ContainerInfo>();
  private readonly logLines = new Map<string, string[]>();
  private readonly subscribers = new Set<Subscriber>();
  /** When set, every call fails the way an unreachable daemon does. */
  down: string | null = null;

  constructor(private readonly clock: FakeClock) {}

  private check(): void {
    if (this.down) throw new Error(`Docker is not reachable (${this.down}). Nothing was changed. What to do: start dockerd.`);
  }

  async ping(): Promise<void> {
    this.check();
  }

  /** How many container lists were asked for (one per call, whatever the projects). */
  listCalls = 0;

  async listProjectContainers(project: string): Promise<ContainerInfo[]> {
    this.check();
    this.listCalls++;
    return [...this.containers.values()].filter((c) => c.project === project).map((c) => ({ ...c }));
  }

  async listProjectsContainers(projects: string[]): Promise<ContainerInfo[]> {
    this.check();
    this.listCalls++;
    return [...this.containers.values()].filter((c) => projects.includes(c.project)).map((c) => ({ ...c }));
  }

  /** Signals sent with kill(), in order. */
  readonly signals: { id: string; signal: string }[] = [];

  async kill(idOrName: string, signal: string): Promise<void> {
    this.check();
    const c = this.find(idOrName);
    if (!c || c.state !== "running") throw new Error(`container ${idOrName} is not running`);
    this.signals.push({ id: c.id, signal });
  }

  async inspect(idOrName: string): Promise<ContainerInfo | null> {
    this.check();
    const c = this.find(idOrName);
    return c ? { ...c } : null;
  }

  async exec(idOrName: string, argv: string[]): Promise<ExecResult> {
    this.check();
    const c = this.find(idOrName);
    if (!c || c.state !== "running") return { exitCode: 1, stdout: "", stderr: `container ${idOrName} is not running` };
    return { exitCode: 0, stdout: argv.join(" "), stderr: "" };
  }

  async logs(idOrName: string, tail: number): Promise<string> {
    this.check();
    const c = this.find(idOrName);
    if (!c) throw new Error(`no such container: ${idOrName}`);
    return (this.logLines.get(c.id) ?? []).slice(-tail).join("\n");
  }

  subscribe(projects: string[], onEvent: (event: DockerEvent) => void, onStatus?: (status: EventStreamStatus) => void): EventSubscription {
    const sub: Subscriber = { projects: new Set(projects), onEvent };
    this.subscribers.add(sub);
    onStatus?.({ state: "connected" });
    return { close: () => void this.subscribers.delete(sub) };
  }

  /** Subscriptions still open (a finished operation must leave none behind). */
  get openSubscriptions(): number {
    return this.subscribers.size;
  }

  // --- mutations used by the other fakes ---

  add(info: ContainerInfo, logs: string[] = []): void {
    this.containers.set(info.id, { ...info });
    this.logLines.set(info.id, [...logs]);
    this.emit("create", info);
    if (info.state === "running") this.emit("start", info);
  }

  update(id: string, patch: Partial<ContainerInfo>, action?: string): void {
    const c = this.containers.get(id);
    if (!c) throw new Error(`fake docker: no container ${id}`);
    const next = { ...c, ...patch };
    this.containers.set(id, next);
    if (action) this.emit(action, next);
  }

  appendLogs(id: string, lines: string[]): void {
    this.logLines.set(id, [...(this.logLines.get(id) ?? []), ...lines]);
  }

  remove(id: string): void {
    const c = this.containers.get(id);
    if (!c) return;
    this.containers.delete(id);
    this.logLines.delete(id);
    this.emit("destroy", c);
  }

  byProject(project: string): ContainerInfo[] {
    return [...this.containers.values()].filter((c) => c.project === project);
  }

  byColor(color: Color): ContainerInfo[] {
    return [...this.containers.values()].filter((c) => c.color === color);
  }

  private find(idOrName: string): ContainerInfo | undefined {
    return this.containers.get(idOrName) ?? [...this.containers.values()].find((c) => c.name === idOrName);
  }

  private emit(action: string, c: ContainerInfo): void {
    const event: DockerEvent = { time: this.clock.now(), action, containerId: c.id, name: c.name, project: c.project, service: c.service, color: c.color };
    for (const sub of [...this.subscribers]) if (sub.projects.has(c.project)) sub.onEvent(event);
  }
}
