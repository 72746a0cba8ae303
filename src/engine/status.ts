import { COLORS, type Color } from "../domain/color.js";
import type { ContainerInfo } from "../docker/types.js";
import type { ReplicaTargets } from "../domain/replicas.js";
import { detectConflicts } from "./conflicts.js";
import { errorMessage } from "./errors.js";
import type { Ports } from "./ports.js";
import type { RecordedState, SlotStatus, StackStatus } from "./status-model.js";

/** Pure: a color's slot from its containers and the services that must run in it. */
export function summarizeSlot(color: Color, containers: ContainerInfo[], services: string[]): SlotStatus {
  const wanted = services.map((s) => `${s}-${color}`);
  const running = containers.filter((c) => c.state === "running");
  const runningServices = new Set(running.map((c) => c.service));
  const allRunning = wanted.length > 0 && wanted.every((s) => runningServices.has(s));
  const healthy = allRunning && running.every((c) => c.health === "healthy" || c.health === "none");
  const versions = containers.map((c) => c.version).filter((v): v is string => v !== null);
  const starts = running.map((c) => c.startedAt).filter((s): s is string => s !== null).sort();
  return {
    color,
    containers,
    running: allRunning,
    healthy,
    exists: containers.length > 0,
    // Prefer the version of a running container: a stopped one may be an older leftover.
    version: running.find((c) => c.version)?.version ?? versions[0] ?? null,
    since: starts[0] ?? null,
  };
}

/** Reads everything — Docker, the proxy itself, the state file, the lock — and derives the conflicts. */
export async function readStatus(ports: Ports): Promise<StackStatus> {
  const { config } = ports;
  // The platform's containers, the proxy, the state file and the lock are read at the same time
  // (none depends on another), the proxy's targets in one answer.
  const [{ blue, green, shared }, proxyRead, stateRead, lock, degraded] = await Promise.all([
    ports.platform.listAll(),
    readProxyTargets(ports),
    ports.state.read().then(
      (value) => ({ value, error: null }),
      (err: unknown) => ({ value: null, error: errorMessage(err) }),
    ),
    ports.lock.read(),
    readDegraded(ports),
  ]);
  const slots: Record<Color, SlotStatus> = {
    blue: summarizeSlot("blue", blue, config.services),
    green: summarizeSlot("green", green, config.services),
  };
  // A proxy of several replicas (swarm) has a container per replica: one running is the proxy running.
  const proxies = shared.filter((c) => c.service === config.proxy.service);
  const proxyContainer = proxies.find((c) => c.state === "running") ?? proxies[0] ?? null;
  const proxyRunning = proxyContainer?.state === "running";

  let target: Color | null = null;
  let preview: Color | null = null;
  let reachable = false;
  let detail = proxyContainer ? `proxy container is ${proxyContainer.state}` : "proxy container does not exist";
  // The proxy was asked in parallel with the list; its answer counts only if its container runs.
  if (proxyRunning) {
    if (proxyRead.ok) {
      ({ live: target, preview } = proxyRead);
      reachable = true;
      detail = `${ports.proxy.name} routes live to ${target ?? "nothing"}${proxyRead.how ? ` (${proxyRead.how})` : ""}`;
    } else {
      detail = proxyRead.error;
    }
  }

  const state: RecordedState | null = stateRead.value;
  const stateError: string | null = stateRead.error;

  // Our own lock (this process runs the operation) is not "another deploy in progress".
  const own = lock !== null && lock.pid === process.pid && lock.host === ports.identity.host;
  const conflicts = detectConflicts({
    slots,
    proxy: {
      running: proxyRunning,
      reachable,
      target,
      detail,
      container: proxyContainer && { service: proxyContainer.service, state: proxyContainer.state, restarts: proxyContainer.restarts, exitCode: proxyContainer.exitCode },
      ...(reachable && proxyRead.ok && proxyRead.replicas ? { replicas: proxyRead.replicas } : {}),
    },
    state,
    stateError,
    lock: own ? null : lock,
  });
  return {
    stack: config.stack,
    active: target,
    proxy: {
      driver: config.proxy.driver,
      reachable,
      target,
      preview,
      detail,
      ...(reachable && proxyRead.ok && proxyRead.how ? { how: proxyRead.how } : {}),
      ...(reachable && proxyRead.ok && proxyRead.replicas ? { replicas: proxyRead.replicas } : {}),
      container: proxyContainer,
    },
    state,
    stateError,
    slots,
    shared,
    lock,
    conflicts,
    degraded,
    checkedAt: new Date(ports.clock.now()).toISOString(),
  };
}

/** The platform's shortfalls; a failed read is itself one (status must still answer). */
export async function readDegraded(ports: Ports): Promise<string[]> {
  if (!ports.platform.degraded) return [];
  return ports.platform.degraded().catch((err: unknown) => [`could not read the platform's nodes: ${errorMessage(err)}`]);
}

type ProxyRead = { ok: true; live: Color | null; preview: Color | null; how: string | null; replicas?: ReplicaTargets[] } | { ok: false; error: string };

/** Both routes' targets in one read of the proxy when the driver can (nginx's admin answer holds both). */
async function readProxyTargets(ports: Ports): Promise<ProxyRead> {
  try {
    const both = ports.proxy.targets
      ? await ports.proxy.targets()
      : await Promise.all([ports.proxy.liveTarget(), ports.proxy.previewTarget()]).then(([live, preview]) => ({ live, preview }));
    return {
      ok: true,
      live: both.live,
      preview: both.preview,
      how: "how" in both && typeof both.how === "string" ? both.how : null,
      ...("replicas" in both && Array.isArray(both.replicas) ? { replicas: both.replicas as ReplicaTargets[] } : {}),
    };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

export function colorsInUse(status: StackStatus): Color[] {
  return COLORS.filter((c) => status.slots[c].exists);
}
