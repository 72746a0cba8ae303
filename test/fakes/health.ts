import { ContainerDiedError, ContainerNotFoundError, HealthTimeoutError, type PendingHealth } from "../../src/docker/errors.js";
import type { ContainerInfo } from "../../src/docker/types.js";
import type { HealthWaiter } from "../../src/platform/compose/platform.js";
import { abortError, type FakeClock } from "./clock.js";
import type { FakeDocker } from "./docker.js";

/**
 * Polls the fake Docker on the virtual clock and fails with the same errors as the real waiter
 * (src/docker/wait-healthy.ts): died, timed out (with health output and log tail), aborted.
 */
export class FakeHealthWaiter implements HealthWaiter {
  readonly waits: Array<{ ids: string[]; timeoutMs: number; intervalMs: number }> = [];

  constructor(
    private readonly docker: FakeDocker,
    private readonly clock: FakeClock,
  ) {}

  async waitHealthy(ids: string[], opts: { timeoutMs: number; intervalMs: number; signal?: AbortSignal; onHealth?: (c: ContainerInfo) => void }): Promise<void> {
    this.waits.push({ ids: [...ids], timeoutMs: opts.timeoutMs, intervalMs: opts.intervalMs });
    const deadline = this.clock.now() + opts.timeoutMs;
    const lastSeen = new Map<string, string>();
    const tail = (id: string): Promise<string> => this.docker.logs(id, 20).catch(() => "");
    for (;;) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      const infos: ContainerInfo[] = [];
      for (const id of ids) {
        const info = await this.docker.inspect(id);
        if (!info) throw new ContainerNotFoundError(id);
        if (lastSeen.get(id) !== info.health) {
          lastSeen.set(id, info.health);
          opts.onHealth?.(info);
        }
        if (info.state === "exited" || info.state === "dead") throw new ContainerDiedError(info.name, info.exitCode, info.state, await tail(id));
        infos.push(info);
      }
      const pending = infos.filter((c) => c.state !== "running" || (c.health !== "healthy" && c.health !== "none"));
      if (pending.length === 0) return;
      if (this.clock.now() >= deadline) {
        const details: PendingHealth[] = [];
        for (const c of pending) details.push({ name: c.name, state: c.state, health: c.health, lastHealthOutput: c.lastHealthOutput, logTail: await tail(c.id) });
        throw new HealthTimeoutError(opts.timeoutMs, details);
      }
      await this.clock.sleep(Math.min(opts.intervalMs, deadline - this.clock.now()), opts.signal);
    }
  }
}
