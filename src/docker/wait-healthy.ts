import { ContainerDiedError, ContainerNotFoundError, HealthTimeoutError, WaitAbortedError, type PendingHealth } from "./errors.js";
import type { ContainerInfo, DockerEvent, DockerPort, EventSubscription } from "./types.js";

export interface WaitForHealthyOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Safety re-inspect period, in case an event was missed (default 2000 ms). */
  intervalMs?: number;
  /** Log lines put into errors (default 20). */
  logLines?: number;
  /** Told each watched container's info at the start and whenever its state or health changes. */
  onHealth?: (info: ContainerInfo) => void;
}

type Verdict = "healthy" | "waiting" | "died";

/**
 * A container is healthy when it runs and Docker's health check says "healthy". A container
 * without a health check has nothing more to wait for, so it counts as healthy once it runs.
 * Exited, dead or restarting (= it just died under a restart policy) means it died.
 */
export function healthVerdict(info: ContainerInfo | null): Verdict {
  if (!info) return "died";
  if (info.state === "exited" || info.state === "dead" || info.state === "restarting" || info.state === "removing") return "died";
  if (info.state !== "running") return "waiting";
  return info.health === "healthy" || info.health === "none" ? "healthy" : "waiting";
}

const DEATH_ACTIONS = new Set(["die", "destroy", "oom"]);

interface Watched {
  label: string;
  info: ContainerInfo;
  healthy: boolean;
  requested: number;
  applied: number;
}

/**
 * Waits until every container in `ids` is healthy. Driven by Docker's health_status/die events;
 * inspects once the event stream is (re)connected and every `intervalMs` as a safety net.
 * Rejects with ContainerDiedError as soon as one dies, HealthTimeoutError after `timeoutMs`,
 * WaitAbortedError when `signal` aborts. Leaves no subscription or timer behind.
 */
export async function waitForHealthy(
  port: DockerPort,
  ids: string[],
  opts: WaitForHealthyOptions,
): Promise<{ healthy: ContainerInfo[] }> {
  const logLines = opts.logLines ?? 20;
  const intervalMs = opts.intervalMs ?? 2_000;
  const describe = ids.join(", ") || "no containers";
  if (opts.signal?.aborted) throw new WaitAbortedError(`${describe} to become healthy`, opts.signal.reason);

  const logTail = (id: string): Promise<string> => port.logs(id, logLines).then((t) => t.trimEnd(), () => "");
  const diedError = async (label: string, info: ContainerInfo | null): Promise<ContainerDiedError> =>
    new ContainerDiedError(info?.name ?? label, info?.exitCode ?? null, info?.state ?? "removed", info ? await logTail(info.id) : "");

  const reported = new Map<string, string>();
  const report = (info: ContainerInfo): void => {
    const key = `${info.state} ${info.health} ${info.lastHealthOutput ?? ""}`;
    if (reported.get(info.id) === key) return;
    reported.set(info.id, key);
    opts.onHealth?.(info);
  };

  const initial = await Promise.all(ids.map((id) => port.inspect(id)));
  const watched = new Map<string, Watched>();
  for (const [i, info] of initial.entries()) {
    const label = ids[i] ?? "";
    if (!info) throw new ContainerNotFoundError(label);
    report(info);
    if (healthVerdict(info) === "died") throw await diedError(label, info);
    watched.set(info.id, { label, info, healthy: healthVerdict(info) === "healthy", requested: 0, applied: 0 });
  }
  const all = [...watched.values()];
  if (all.every((w) => w.healthy)) return { healthy: all.map((w) => w.info) };

  const projects = [...new Set(all.map((w) => w.info.project).filter((p) => p !== ""))];

  return new Promise((resolve, reject) => {
    let settled = false;
    let subscription: EventSubscription | null = null;
    const cleanup = (): void => {
      settled = true;
      subscription?.close();
      clearTimeout(deadline);
      clearInterval(safety);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    const fail = (err: Error): void => {
      if (settled) return;
      cleanup();
      reject(err);
    };
    const failWith = (make: Promise<Error>): void => {
      if (settled) return;
      cleanup();
      make.then(reject, reject);
    };

    const apply = (entry: Watched, info: ContainerInfo | null): void => {
      if (settled) return;
      if (info) report(info);
      const verdict = healthVerdict(info);
      if (verdict === "died") return failWith(diedError(entry.label, info ?? null));
      if (info) entry.info = info;
      entry.healthy = verdict === "healthy";
      if (all.every((w) => w.healthy)) {
        cleanup();
        resolve({ healthy: all.map((w) => w.info) });
      }
    };

    const refresh = (entry: Watched): void => {
      if (settled) return;
      const seq = ++entry.requested;
      port.inspect(entry.info.id).then(
        (info) => {
          // Inspects can answer out of order; only the newest one counts.
          if (seq < entry.applied) return;
          entry.applied = seq;
          apply(entry, info);
        },
        // Daemon briefly unreachable: the event stream reconnects and the deadline still holds.
        () => undefined,
      );
    };
    const refreshPending = (): void => all.filter((w) => !w.healthy).forEach(refresh);

    const onEvent = (event: DockerEvent): void => {
      const entry = watched.get(event.containerId);
      if (!entry || settled) return;
      if (DEATH_ACTIONS.has(event.action)) {
        // Fail on the event itself: under a restart policy the container may already run again
        // by the time it is inspected, and a crash loop would otherwise run into the timeout.
        const last = entry.info;
        failWith(
          port.inspect(entry.info.id).then(
            (info) => diedError(entry.label, info ? { ...info, state: info.state === "running" ? "restarting" : info.state } : null),
            () => diedError(entry.label, last),
          ),
        );
        return;
      }
      if (event.action.startsWith("health_status") || event.action === "start" || event.action === "unpause") refresh(entry);
    };

    const onAbort = (): void => fail(new WaitAbortedError(`${describe} to become healthy`, opts.signal?.reason));

    const deadline = setTimeout(() => {
      const pending = all.filter((w) => !w.healthy);
      failWith(
        Promise.all(
          pending.map(async (w): Promise<PendingHealth> => {
            const info = (await port.inspect(w.info.id).catch(() => null)) ?? w.info;
            return { name: info.name, state: info.state, health: info.health, lastHealthOutput: info.lastHealthOutput, logTail: await logTail(w.info.id) };
          }),
        ).then((details) => new HealthTimeoutError(opts.timeoutMs, details)),
      );
    }, opts.timeoutMs);
    const safety = setInterval(refreshPending, intervalMs);
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    subscription = port.subscribe(projects, onEvent, (status) => {
      // Whatever happened while (re)connecting is read from the containers themselves.
      if (status.state === "connected") refreshPending();
    });
    if (settled) subscription.close();
  });
}
