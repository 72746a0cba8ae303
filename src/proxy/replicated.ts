/**
 * A proxy that runs as several replicas (one per swarm node, say), switched as one: every change is
 * checked on all first, made on all, read back from each, and undone on all when any replica
 * refuses or reads back otherwise. Replicas that disagree are reported, never averaged.
 */
import type { Color } from "../domain/color.js";
import { describeReplicas, type ReplicaTargets } from "../domain/replicas.js";
import { ProxyChangeRejected, type ProxyDriver, type ProxyRoute } from "./driver.js";
import { describeError, ProxyControlError } from "./errors.js";

export interface ProxyReplica {
  /** Where it runs, for messages and status ("node2"). */
  node: string;
  driver: ProxyDriver;
}

/** The replicas running now (the proxy service's tasks), one driver each. */
export type FindReplicas = () => Promise<ProxyReplica[]>;

/** Raised by reads when the replicas do not all route a route to one color; `replicas` says who routes where. */
export class ReplicasDisagree extends ProxyControlError {
  constructor(readonly replicas: ReplicaTargets[]) {
    super(`the proxy's replicas disagree: ${describeReplicas(replicas)}. Live traffic goes to different colors depending on the node that receives it; \`bluegreen resolve\` points every replica at one color`, JSON.stringify(replicas));
    this.name = "ReplicasDisagree";
  }
}

/** Pure: the one target all replicas agree on for `route`, or undefined when they do not (or one did not answer). */
export function agreed(replicas: ReplicaTargets[], route: ProxyRoute): Color | null | undefined {
  if (replicas.length === 0 || replicas.some((r) => r.error !== undefined)) return undefined;
  const first = replicas[0]?.[route] ?? null;
  return replicas.every((r) => r[route] === first) ? first : undefined;
}

async function readReplica(r: ProxyReplica): Promise<ReplicaTargets> {
  try {
    const t = r.driver.targets ? await r.driver.targets() : { live: await r.driver.liveTarget(), preview: await r.driver.previewTarget() };
    return { node: r.node, live: t.live, preview: t.preview };
  } catch (err) {
    return { node: r.node, live: null, preview: null, error: describeError(err) };
  }
}

export class ReplicatedProxyDriver implements ProxyDriver {
  constructor(
    readonly name: ProxyDriver["name"],
    private readonly findReplicas: FindReplicas,
  ) {}

  private async replicas(): Promise<ProxyReplica[]> {
    const found = await this.findReplicas();
    if (found.length === 0) throw new ProxyControlError("no replica of the proxy runs (no running task of its service): nothing routes traffic. Start the shared services (`bluegreen up`)", "0 replicas");
    return found;
  }

  /** Every replica's targets, read at the same time. */
  async readAll(replicas?: ProxyReplica[]): Promise<ReplicaTargets[]> {
    return Promise.all((replicas ?? (await this.replicas())).map(readReplica));
  }

  /**
   * Every replica's routing. A route reads as the target the answering replicas agree on, null when
   * they disagree; `how` says who did not answer (status shows either as a conflict).
   */
  async targets(): Promise<{ live: Color | null; preview: Color | null; how: string; replicas: ReplicaTargets[] }> {
    const all = await this.readAll();
    const answered = all.filter((r) => r.error === undefined);
    const silent = all.filter((r) => r.error !== undefined);
    const live = agreed(answered, "live");
    const preview = agreed(answered, "preview");
    const agree = live !== undefined && preview !== undefined;
    const nodes = (rs: ReplicaTargets[]): string => rs.map((r) => r.node).join(", ");
    const how =
      silent.length === 0
        ? `${all.length} replica${all.length === 1 ? "" : "s"}${agree ? " agree" : " DISAGREE"} (${nodes(all)})`
        : `${answered.length} of ${all.length} replicas answer${answered.length === 0 ? "" : agree ? " and agree" : " and DISAGREE"}${answered.length ? ` (${nodes(answered)})` : ""}; ${nodes(silent)} ${silent.length === 1 ? "does" : "do"} not`;
    return { live: live ?? null, preview: preview ?? null, how, replicas: all };
  }

  /** The one route target all replicas agree on; throws ReplicasDisagree otherwise (an operation must not guess). */
  private async agreedTarget(route: ProxyRoute): Promise<Color | null> {
    const all = await this.readAll();
    const target = agreed(all, route);
    if (target === undefined) throw new ReplicasDisagree(all);
    return target;
  }

  liveTarget(): Promise<Color | null> {
    return this.agreedTarget("live");
  }

  previewTarget(): Promise<Color | null> {
    return this.agreedTarget("preview");
  }

  switchLive(color: Color): Promise<void> {
    return this.change("live", color);
  }

  pointPreview(color: Color): Promise<void> {
    return this.change("preview", color);
  }

  async ping(): Promise<{ ok: boolean; detail: string }> {
    let replicas: ProxyReplica[];
    try {
      replicas = await this.replicas();
    } catch (err) {
      return { ok: false, detail: describeError(err) };
    }
    const pings = await Promise.all(replicas.map(async (r) => ({ node: r.node, ...(await r.driver.ping()) })));
    return { ok: pings.every((p) => p.ok), detail: pings.map((p) => `${p.node}: ${p.detail}`).join("; ") };
  }

  /**
   * Check all, change all, read each back; any refusal or wrong read-back sets every replica back to
   * what it routed before, and the error says where each one routes now.
   */
  private async change(route: ProxyRoute, color: Color): Promise<void> {
    const replicas = await this.replicas();
    const before = await this.readAll(replicas);
    const silent = before.filter((r) => r.error !== undefined);
    if (silent.length > 0) {
      throw new ProxyControlError(`cannot point ${route} at ${color}: ${describeReplicas(silent)}. Nothing was changed on any replica (${describeReplicas(before)})`, JSON.stringify(before));
    }
    const results = await Promise.allSettled(replicas.map((r) => (route === "live" ? r.driver.switchLive(color) : r.driver.pointPreview(color))));
    const after = await this.readAll(replicas);
    const failed = replicas
      .map((r, i) => {
        const result = results[i] as PromiseSettledResult<void>;
        const read = after[i] as ReplicaTargets;
        if (result.status === "rejected") return `${r.node} refused: ${describeError(result.reason)}`;
        if (read.error !== undefined) return `${r.node} did not answer the read-back: ${read.error}`;
        if (read[route] !== color) return `${r.node} reads back ${route}→${read[route] ?? "nothing"}`;
        return null;
      })
      .filter((f): f is string => f !== null);
    if (failed.length === 0) return;

    // Undo on every replica that moved, back to its own previous target.
    await Promise.allSettled(
      replicas.map((r, i) => {
        const was = (before[i] as ReplicaTargets)[route];
        const now = (after[i] as ReplicaTargets)[route];
        if (was === null || was === now) return Promise.resolve();
        return route === "live" ? r.driver.switchLive(was) : r.driver.pointPreview(was);
      }),
    );
    const final = await this.readAll(replicas);
    const restored = final.every((r, i) => r.error === undefined && r[route] === (before[i] as ReplicaTargets)[route]);
    throw new ProxyChangeRejected(
      `pointing ${route} at ${color} failed on ${failed.length} of ${replicas.length} replicas (${failed.join("; ")}); ` +
        (restored
          ? `every replica was set back: ${describeReplicas(final)}`
          : `setting them back did not fully work, the replicas now route: ${describeReplicas(final)}; run \`bluegreen status\` and \`bluegreen resolve\``),
      failed.join("; "),
    );
  }
}
