import type { Color } from "../../../src/domain/color.js";
import type { ContainerInfo, DockerEvent, EventStreamStatus, EventSubscription } from "../../../src/docker/types.js";
import type { Slot } from "../../../src/domain/color.js";
import type { OperationHandlers } from "../../../src/engine/context.js";
import type { OperationResult } from "../../../src/engine/events.js";
import type { Conflict, SlotStatus, StackStatus } from "../../../src/engine/status-model.js";
import type { EngineLike, PlatformLike } from "../../../src/tui/types.js";

export function container(name: string, over: Partial<ContainerInfo> = {}): ContainerInfo {
  const color: Color | null = name.includes("blue") ? "blue" : name.includes("green") ? "green" : null;
  return {
    id: `id-${name}`,
    name,
    project: color ? `demo-${color}` : "demo",
    service: name,
    color,
    version: color ? "v1" : null,
    image: "img",
    state: "running",
    health: "healthy",
    lastHealthOutput: null,
    startedAt: new Date(Date.now() - 180_000).toISOString(),
    restarts: 0,
    exitCode: null,
    ...over,
  };
}

function slot(color: Color, containers: ContainerInfo[]): SlotStatus {
  const running = containers.length > 0 && containers.every((c) => c.state === "running");
  return {
    color,
    containers,
    running,
    healthy: running && containers.every((c) => c.health === "healthy" || c.health === "none"),
    exists: containers.length > 0,
    version: containers[0]?.version ?? null,
    since: containers[0]?.startedAt ?? null,
  };
}

export interface StatusShape {
  active?: Color | null;
  blue?: ContainerInfo[];
  green?: ContainerInfo[];
  recorded?: Color | null;
  conflicts?: Conflict[];
  lock?: StackStatus["lock"];
}

/** blue live v1, green stopped-less (absent) unless given. */
export function makeStatus(shape: StatusShape = {}): StackStatus {
  const active = shape.active === undefined ? "blue" : shape.active;
  const blue = shape.blue ?? [container("app-blue", { version: "v1" })];
  const green = shape.green ?? [];
  const recorded = shape.recorded === undefined ? active : shape.recorded;
  return {
    stack: "demo",
    active,
    proxy: { driver: "nginx", reachable: true, target: active, preview: null, detail: "ok", container: container("proxy") },
    state: recorded ? { active: recorded, previous: null, versions: {}, warm: false, updatedAt: "2025-01-01T00:00:00Z", updatedBy: "op@host" } : null,
    stateError: null,
    slots: { blue: slot("blue", blue), green: slot("green", green) },
    shared: [container("proxy", { project: "demo", health: "none" }), container("redis", { project: "demo" })],
    lock: shape.lock ?? null,
    conflicts: shape.conflicts ?? [],
    degraded: [],
    checkedAt: new Date().toISOString(),
  };
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A scripted engine: the deploy emits the real event sequence and stops at gates the test opens. */
export class FakeEngine implements EngineLike {
  statusCalls = 0;
  current: StackStatus;
  resolveCalls: Array<{ keep: Color | null; confirmed: boolean }> = [];
  confirmAnswers: boolean[] = [];
  abortedSeen = false;
  private gates = new Map<string, Deferred>();
  gateNames: string[] = [];

  constructor(status: StackStatus = makeStatus()) {
    this.current = status;
  }

  gate(name: string): Deferred {
    let g = this.gates.get(name);
    if (!g) {
      g = deferred();
      this.gates.set(name, g);
    }
    return g;
  }
  open(name: string): void {
    this.gate(name).resolve();
  }

  private async wait(name: string, signal: AbortSignal): Promise<void> {
    this.gateNames.push(name);
    await new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new Error("aborted"));
      signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      void this.gate(name).promise.then(resolve);
    });
  }

  async status(): Promise<StackStatus> {
    this.statusCalls += 1;
    return this.current;
  }

  private result(h: OperationHandlers, r: Partial<OperationResult> & Pick<OperationResult, "operation" | "outcome" | "message">): OperationResult {
    const full: OperationResult = { active: "blue", from: { color: "blue", version: "v1" }, to: { color: null, version: null }, phases: [], durationMs: 1234, ...r };
    h.emit({ type: "result", result: full });
    return full;
  }

  async deploy(args: { version: string }, h: OperationHandlers): Promise<OperationResult> {
    const { emit } = h;
    emit({ type: "operation", operation: "deploy", status: "start", args: { version: args.version } });
    emit({ type: "phase", phase: "preflight", status: "start" });
    emit({ type: "phase", phase: "preflight", status: "ok", ms: 12 });
    emit({ type: "phase", phase: "shared", status: "skipped", detail: "shared services already running" });
    emit({ type: "phase", phase: "build", status: "start", detail: `building green ${args.version}` });
    for (let i = 1; i <= 7; i++) emit({ type: "output", source: "platform", line: `Step ${i}/7 : RUN build-step-${i}` });
    try {
      await this.wait("build", h.signal);
    } catch {
      this.abortedSeen = true;
      emit({ type: "phase", phase: "build", status: "failed", ms: 50, detail: "aborted" });
      return this.result(h, {
        operation: "deploy",
        outcome: "aborted",
        message: "interrupted during the build",
        stateNow: "blue (v1) still serves all live traffic; green has been stopped",
        nextStep: "deploy again when ready",
      });
    }
    emit({ type: "phase", phase: "build", status: "ok", ms: 3100 });
    emit({ type: "phase", phase: "start", status: "ok", ms: 400 });
    emit({ type: "phase", phase: "health", status: "start", detail: "waiting for green" });
    emit({ type: "health", container: "app-green", health: "healthy" });
    emit({ type: "phase", phase: "health", status: "ok", ms: 2200 });
    emit({ type: "phase", phase: "preview", status: "ok", ms: 20 });
    emit({ type: "phase", phase: "smoke", status: "start" });
    emit({ type: "smoke-check", check: { name: "GET /health", ok: true, durationMs: 4, detail: "200" } });
    emit({ type: "smoke-check", check: { name: "version header", ok: true, durationMs: 3, detail: "v2" } });
    emit({ type: "phase", phase: "smoke", status: "ok", ms: 30 });
    emit({ type: "phase", phase: "confirm", status: "start" });
    const request = {
      id: "switch",
      question: `Switch live traffic from blue to green (${args.version})?`,
      facts: [
        ["live now", "blue v1"],
        ["candidate", `green ${args.version}, healthy, smoke 2/2 ok`],
      ] as Array<[string, string]>,
      consequence: "the proxy sends new requests to green; blue drains",
    };
    emit({ type: "confirm", request });
    const yes = await h.confirm(request);
    this.confirmAnswers.push(yes);
    if (!yes) {
      emit({ type: "phase", phase: "confirm", status: "failed", ms: 10 });
      return this.result(h, { operation: "deploy", outcome: "declined", message: "the switch was not confirmed", stateNow: "blue (v1) still serves all live traffic; green v2 is running on the preview route", nextStep: "switch later with s, or clean up green with c" });
    }
    emit({ type: "phase", phase: "confirm", status: "ok", ms: 10 });
    emit({ type: "phase", phase: "switch", status: "ok", ms: 25 });
    emit({ type: "phase", phase: "verify", status: "start" });
    emit({ type: "verify-progress", requests: 80, failures: 0, colors: { green: 80 } });
    emit({ type: "phase", phase: "verify", status: "ok", ms: 5000 });
    emit({ type: "phase", phase: "drain", status: "start" });
    emit({ type: "drain-progress", color: "blue", connections: 2, remainingMs: 20_000 });
    emit({ type: "phase", phase: "drain", status: "ok", ms: 900 });
    emit({ type: "phase", phase: "stop", status: "ok", ms: 700 });
    this.current = makeStatus({ active: "green", blue: [], green: [container("app-green", { version: args.version })] });
    return this.result(h, { operation: "deploy", outcome: "success", message: `green ${args.version} is live`, active: "green", from: { color: "blue", version: "v1" }, to: { color: "green", version: args.version } });
  }

  async switch(h: OperationHandlers): Promise<OperationResult> {
    const yes = await h.confirm({ id: "switch", question: "Switch live traffic to green?", facts: [["green", "v1, healthy"]], consequence: "green serves" });
    return this.result(h, { operation: "switch", outcome: yes ? "success" : "declined", message: yes ? "green is live" : "not confirmed" });
  }

  async rollback(h: OperationHandlers): Promise<OperationResult> {
    emitFail(h);
    return this.result(h, {
      operation: "rollback",
      outcome: "failed",
      message: "no previous color to roll back to",
      stateNow: "blue (v1) serves all live traffic; nothing was changed",
      nextStep: "deploy a new version instead",
      error: { kind: "failed", message: "no previous color" },
    });
  }

  async cleanup(h: OperationHandlers): Promise<OperationResult> {
    return this.result(h, { operation: "cleanup", outcome: "noop", message: "nothing to clean up" });
  }

  async resolve(args: { keep: Color | null }, h: OperationHandlers): Promise<OperationResult> {
    const confirmed = await h.confirm({ id: "resolve", question: `Keep ${args.keep}?`, facts: [], consequence: "settles" });
    this.resolveCalls.push({ keep: args.keep, confirmed });
    const keep = args.keep ?? "blue";
    this.current = makeStatus({ active: keep, blue: keep === "blue" ? undefined : [], green: keep === "green" ? [container("app-green")] : [] });
    return this.result(h, { operation: "resolve", outcome: "success", message: `resolved: ${keep} is live and recorded`, active: keep });
  }
}

function emitFail(h: OperationHandlers): void {
  h.emit({ type: "phase", phase: "preflight", status: "failed", ms: 3, detail: "no previous color" });
}

/** A Docker event stream the test drives. */
export class FakeDocker implements PlatformLike {
  onEvent: ((e: DockerEvent) => void) | null = null;
  onStatus: ((s: EventStreamStatus) => void) | null = null;
  closed = false;
  logsRequested: string[] = [];

  watch(_slots: Slot[], onEvent: (e: DockerEvent) => void, onStatus?: (s: EventStreamStatus) => void): EventSubscription {
    this.onEvent = onEvent;
    this.onStatus = onStatus ?? null;
    return { close: () => (this.closed = true) };
  }

  async logs(idOrName: string, tail: number): Promise<string> {
    this.logsRequested.push(idOrName);
    return Array.from({ length: Math.min(tail, 3) }, (_, i) => `${idOrName} log line ${i + 1}`).join("\n");
  }

  emit(action: string, name = "app-green"): void {
    this.onEvent?.({ time: Date.now(), action, containerId: `id-${name}`, name, project: "demo-green", service: name, color: "green" });
  }
}
