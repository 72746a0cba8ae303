/**
 * The swarm platform: each slot a stack on a Docker Swarm (`<stack>` shared, `<stack>-blue`,
 * `<stack>-green`), deployed from the user's compose files by `docker stack deploy` on a manager;
 * everything else through the Engine API: the manager's for services and tasks, each node's own for
 * its containers (health, logs, exec, events). The engine sees only the Platform port.
 */
import type { Color, Slot } from "../../domain/color.js";
import { createComposeRunner } from "../../docker/compose-runner.js";
import { filtersQuery } from "../../docker/engine-api.js";
import { describeCause, DockerUnavailableError, HealthTimeoutError, type PendingHealth } from "../../docker/errors.js";
import { PlatformFault } from "../../domain/platform-fault.js";
import type { ComposeTarget, ContainerInfo, ExecResult, ExecSession } from "../../docker/types.js";
import { createConnectionCounter } from "../../drain/tcp-connections.js";
import type { Platform, StartOptions } from "../../engine/ports.js";
import { parseServiceFacts } from "../compose/service-facts.js";
import { STACK_LABEL, type SwarmService, type SwarmTask } from "./api-types.js";
import { createCluster, isReady, stackFilter } from "./cluster.js";
import { composeConfig, serviceDefinitions } from "./compose-model.js";
import { statusOf } from "./engine-client.js";
import { watchNodes } from "./events.js";
import { findTask, TaskFailedError, taskHealth } from "./health.js";
import { distributeImages } from "./images.js";
import { jobSpec, runJob } from "./one-off.js";
import { FatalCheck, pollUntil } from "./poll.js";
import { rolloutVerdict, updateStatusKey } from "./rollout.js";
import { type SwarmSettings, stackName } from "./settings.js";
import { cliEnv, runStackCommand, stackDeployCommand, stackRmCommand } from "./stack-cli.js";
import { forcedSpec, stoppedSpec } from "./stop-spec.js";
import { isActiveTask } from "./tasks.js";

export type { SwarmSettings } from "./settings.js";

/** The swarm platform, and what wiring needs beside the port: a command inside a task's container, through its node's API (a proxy replica's runtime API). */
export interface SwarmPlatform extends Platform {
  execOnNode(node: string, containerId: string, argv: string[]): Promise<ExecResult>;
  /** The same with stdin open, for a conversation (one runtime-API session per replica). */
  execSessionOnNode(node: string, containerId: string, argv: string[]): Promise<ExecSession>;
}

const SLOTS: readonly Slot[] = ["shared", "blue", "green"];

export function createSwarmPlatform(settings: SwarmSettings): SwarmPlatform {
  const ns = (slot: Slot): string => stackName(settings.stack, slot);
  const all = SLOTS.map(ns);
  const cluster = createCluster(settings, all);
  const { manager } = cluster;
  const dockerBin = settings.dockerBin ?? "docker";
  const bins = { v2: dockerBin, v1: settings.composeV1Bin ?? "docker-compose" };
  const compose = createComposeRunner({ dockerBin, composeV1Bin: bins.v1, dockerHost: manager.dockerHost });
  const pollMs = settings.pollMs ?? 500;
  const target = (slot: Slot, env: Record<string, string> = {}): ComposeTarget => ({ project: ns(slot), files: settings.files[slot], cwd: settings.cwd, env: { ...settings.env, ...env } });
  const servicePs = (namespace: string): string => `docker -H ${settings.manager} stack ps ${namespace} --no-trunc`;

  const servicesOf = (namespace: string): Promise<SwarmService[]> => manager.get<SwarmService[]>(`/services?filters=${stackFilter(namespace)}`);
  const tasksOf = (namespace: string, extra: Record<string, string[]> = {}): Promise<SwarmTask[]> =>
    manager.get<SwarmTask[]>(`/tasks?filters=${filtersQuery({ label: [`${STACK_LABEL}=${namespace}`], ...extra })}`);

  /** POST /services/{id}/update with the spec made from the current one; retried once when another writer got there first. */
  const updateService = async (id: string, change: (spec: SwarmService["Spec"]) => SwarmService["Spec"]): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const current = await manager.get<SwarmService>(`/services/${encodeURIComponent(id)}`);
      try {
        await manager.dockerode().getService(id).update({ _query: { version: current.Version.Index }, _body: change(current.Spec) });
        return;
      } catch (err) {
        if (attempt > 0 || !/out of sequence/i.test(String((err as { json?: { message?: string } }).json?.message ?? err))) throw err;
      }
    }
  };

  const build = async (slot: Slot, opts: Pick<StartOptions, "env" | "signal" | "onLine">): Promise<void> => {
    const t = target(slot, opts.env);
    const defs = Object.values(serviceDefinitions(await composeConfig(compose, t, bins), t.project));
    // The manager's engine builds (compose against it); every node then gets what it lacks from there.
    if (defs.some((d) => d.build)) await compose.build(t, opts.onLine, opts.signal ? { signal: opts.signal } : {});
    const images = defs.map((d) => d.image).filter((i): i is string => i !== null);
    await distributeImages(images, manager, await cluster.nodes(), { onLine: opts.onLine, signal: opts.signal });
  };

  const waitRollout = async (namespace: string, before: { tasks: Set<string>; updates: Map<string, string> }, signal: AbortSignal | undefined): Promise<void> => {
    const timeoutMs = settings.rolloutTimeoutMs ?? 300_000;
    // A rollout with tasks on a lost node is only stuck when it stops moving: Swarm often goes on
    // with the other nodes (an old task there is already being replaced). Same reason this long: stuck.
    const graceMs = settings.nodeLostGraceMs ?? 15_000;
    let stuck: { reason: string; since: number } | null = null;
    await pollUntil(
      async () => {
        const [services, tasks, upToDate, nodes] = await Promise.all([servicesOf(namespace), tasksOf(namespace), tasksOf(namespace, { "_up-to-date": ["true"] }), cluster.nodes()]);
        const verdict = rolloutVerdict({
          services,
          tasks,
          upToDate: new Set(upToDate.map((t) => t.ID)),
          before: before.tasks,
          updateBefore: before.updates,
          nodeNames: new Map(nodes.map((n) => [n.id, n.hostname])),
          nodesNotReady: new Map(nodes.filter((n) => !isReady(n)).map((n) => [n.id, n.state])),
        });
        if (verdict.state === "node-lost") {
          if (stuck?.reason !== verdict.reason) stuck = { reason: verdict.reason, since: Date.now() };
          if (Date.now() - stuck.since >= graceMs) {
            throw new FatalCheck(nodeLost(verdict.nodes, `stack ${namespace} cannot finish rolling out (no progress for ${Math.round(graceMs / 1000)} s): ${verdict.reason}`, `Stack ${namespace} has its new spec but not all its tasks.`));
          }
          return { done: false, pending: verdict.reason };
        }
        stuck = null;
        if (verdict.state === "failed") {
          throw new FatalCheck(
            new Error(
              `Stack ${namespace} was deployed, but its new tasks do not run: ${verdict.reason}. Swarm keeps the new spec and retries. ` +
                `What to do: read \`${servicePs(namespace)}\`, fix the cause (image on every node? placement? the app's logs), then deploy again — or stop that color.`,
            ),
          );
        }
        return verdict.state === "done" ? { done: true, value: undefined } : { done: false, pending: verdict.pending.join("; ") };
      },
      {
        intervalMs: pollMs,
        timeoutMs,
        signal,
        what: `waiting for stack ${namespace} to roll out`,
        state: "The new spec is deployed; Swarm goes on replacing the tasks.",
        timedOut: (pending) =>
          new Error(
            `Stack ${namespace} did not finish rolling out within ${Math.round(timeoutMs / 1000)} s: ${pending}. The new spec is deployed and Swarm goes on with it. ` +
              `What to do: read \`${servicePs(namespace)}\`; if it is only slow, raise the swarm rollout timeout; if tasks are pending, check the nodes and placement constraints.`,
          ),
      },
    );
  };

  /** Containers of the stack still on each ready node (a removed stack's are deleted by each node, after the manager forgot them). */
  const nodeLeftovers = async (namespace: string): Promise<string[]> => {
    const nodes = (await cluster.nodes()).filter((n) => n.client && isReady(n));
    const per = await Promise.all(
      nodes.map(async (n) => {
        const left = await (n.client as NonNullable<typeof n.client>).get<unknown[]>(`/containers/json?all=1&filters=${stackFilter(namespace)}`).catch(() => []);
        return left.length > 0 ? [`${left.length} container(s) on ${n.hostname}`] : [];
      }),
    );
    return per.flat();
  };

  const waitNoTasks = async (namespace: string, timeoutMs: number, what: string, whole: boolean): Promise<void> => {
    await pollUntil(
      async () => {
        const [tasks, networks, leftovers, nodes] = await Promise.all([
          tasksOf(namespace),
          whole ? manager.get<{ Name: string }[]>(`/networks?filters=${stackFilter(namespace)}`) : Promise.resolve([]),
          whole ? nodeLeftovers(namespace) : Promise.resolve([]),
          cluster.nodes(),
        ]);
        // A task on a node the manager lost never reports that it stopped; that node stops it when it is back.
        const lost = new Set(nodes.filter((n) => !isReady(n)).map((n) => n.id));
        const active = tasks.filter((t) => isActiveTask(t) && !(t.NodeID && lost.has(t.NodeID)));
        const pending = [...(active.length ? [`${active.length} task(s) still ${[...new Set(active.map((t) => t.Status.State))].join("/")}`] : []), ...networks.map((n) => `network ${n.Name}`), ...leftovers];
        return pending.length === 0 ? { done: true, value: undefined } : { done: false, pending: pending.join(", ") };
      },
      {
        intervalMs: pollMs,
        timeoutMs,
        what,
        state: "",
        timedOut: (pending) =>
          new Error(`${what}: not done within ${Math.round(timeoutMs / 1000)} s (${pending}). Swarm goes on with it. What to do: read \`${servicePs(namespace)}\` and the nodes' state (docker node ls), then run the step again.`),
      },
    );
  };

  /** A lost node, in the operator's terms: what happened, and how to go on with or without it. */
  const nodeLost = (nodes: string[], what: string, state: string): PlatformFault => {
    const list = nodes.join(", ");
    return new PlatformFault(
      `swarm node ${list} is lost (the manager's \`docker node ls\` shows it not ready): ${what}. ${state}`,
      `bring the Docker engine of ${list} back, or take it out of scheduling with \`docker -H ${settings.manager} node update --availability drain ${nodes[0]}\` (Swarm then runs its tasks on the other nodes), then run \`bluegreen status\` and deploy again`,
    );
  };

  /** A node's Docker API, for a container on it; a node the manager lost is not tried (its replica counts as not answering). */
  const nodePort = async (node: string) => {
    const view = (await cluster.nodes()).find((n) => n.hostname === node);
    if (!view?.client) throw new Error(`no Docker endpoint for swarm node ${node}${view?.problem ? ` (${view.problem})` : ""}; name it under swarm.nodes in bluegreen.yml`);
    if (!isReady(view)) throw new Error(`swarm node ${node} is ${view.state} in the manager's \`docker node ls\`, so its Docker API (${view.endpoint}) is not used`);
    const port = view.client.port;
    const named = (err: unknown): never => {
      throw err instanceof DockerUnavailableError ? new Error(`the Docker API of swarm node ${node} (${view.endpoint}) does not answer (${describeCause(err.cause)})`, { cause: err }) : err;
    };
    return {
      exec: (id: string, argv: string[]) => port.exec(id, argv).catch(named),
      execSession: port.execSession ? (id: string, argv: string[]) => (port.execSession as NonNullable<typeof port.execSession>)(id, argv).catch(named) : undefined,
    };
  };

  const platform: SwarmPlatform = {
    kind: "swarm",

    async execOnNode(node, containerId, argv) {
      return (await nodePort(node)).exec(containerId, argv);
    },

    async execSessionOnNode(node, containerId, argv) {
      const port = await nodePort(node);
      if (!port.execSession) throw new Error(`the Docker client of node ${node} cannot keep an exec open (bluegreen bug)`);
      return port.execSession(containerId, argv);
    },

    async ping() {
      let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
      try {
        await manager.get("/_ping", 5_000);
        info = await manager.get("/info", 5_000);
      } catch (err) {
        throw err instanceof DockerUnavailableError ? err : new DockerUnavailableError(settings.manager, err);
      }
      if (info.Swarm?.LocalNodeState !== "active" || !info.Swarm.ControlAvailable) {
        throw new Error(
          `The Docker engine at ${settings.manager} is not a swarm manager (swarm state: ${info.Swarm?.LocalNodeState ?? "unknown"}${info.Swarm?.LocalNodeState === "active" ? ", a worker" : ""}). Nothing was changed. ` +
            "What to do: point the swarm manager setting at a manager's Docker endpoint (`docker node ls` works there).",
        );
      }
    },

    async degraded() {
      const lost = (await cluster.nodes()).filter((n) => !isReady(n));
      return lost.map(
        (n) => `swarm node ${n.hostname} is ${n.state} in the manager's docker node ls: its tasks and its proxy replica are left out (Swarm moves the tasks it can) until it is back or removed (docker node rm)`,
      );
    },

    list: async (slot) => (await cluster.containers([ns(slot)]))[ns(slot)] ?? [],

    async listAll() {
      const byStack = await cluster.containers(all);
      return { shared: byStack[ns("shared")] ?? [], blue: byStack[ns("blue")] ?? [], green: byStack[ns("green")] ?? [] };
    },

    build: (color: Color, opts) => build(color, opts),

    async start(slot, opts) {
      const namespace = ns(slot);
      if (opts.build) await build(slot, opts);
      const [services, tasks] = await Promise.all([servicesOf(namespace), tasksOf(namespace)]);
      const before = { tasks: new Set(tasks.map((t) => t.ID)), updates: new Map(services.map((s) => [s.ID, updateStatusKey(s)])) };
      await runStackCommand(stackDeployCommand(dockerBin, manager.dockerHost, settings.files[slot], namespace), {
        cwd: settings.cwd,
        env: cliEnv(process.env, target(slot, opts.env).env),
        signal: opts.signal,
        onLine: opts.onLine,
        state: `Stack ${namespace} may be partly updated.`,
        todo: `fix the cause shown above and start it again (stack deploy is idempotent); \`${servicePs(namespace)}\` shows its tasks.`,
      });
      if (opts.recreate) {
        const wanted = opts.services ? new Set(opts.services.map((s) => `${namespace}_${s}`)) : null;
        for (const service of await servicesOf(namespace)) if (!wanted || wanted.has(service.Spec.Name)) await updateService(service.ID, forcedSpec);
      }
      await waitRollout(namespace, before, opts.signal);
    },

    async stop(color, timeoutMs) {
      const namespace = ns(color);
      for (const service of await servicesOf(namespace)) await updateService(service.ID, (spec) => stoppedSpec(spec, timeoutMs));
      await waitNoTasks(namespace, timeoutMs + (settings.stopMarginMs ?? 60_000), `stopping ${namespace} (its services are scaled to 0)`, false);
    },

    async remove(slot, opts = {}) {
      const namespace = ns(slot);
      const [services, networks] = await Promise.all([servicesOf(namespace), manager.get<unknown[]>(`/networks?filters=${stackFilter(namespace)}`)]);
      if (services.length > 0 || networks.length > 0) {
        await runStackCommand(stackRmCommand(dockerBin, manager.dockerHost, namespace), {
          cwd: settings.cwd,
          env: cliEnv(process.env, {}),
          state: `Stack ${namespace} may be partly removed.`,
          todo: `run the removal again (docker -H ${settings.manager} stack rm ${namespace} is idempotent).`,
        });
        await waitNoTasks(namespace, settings.removeTimeoutMs ?? 120_000, `removing stack ${namespace}`, true);
      }
      if (opts.volumes) await removeVolumes(namespace);
    },

    async runOnce(color, service, argv, opts) {
      const t = target(color, opts.env);
      const defs = serviceDefinitions(await composeConfig(compose, t, bins), t.project);
      const definition = defs[service];
      if (!definition) throw new Error(`${service} is not a service of ${settings.files[color].join(", ")} (it has ${Object.keys(defs).join(", ") || "none"}). Nothing was run. What to do: check migrate.service in bluegreen.yml.`);
      const name = `${t.project}_${service}-run-${Date.now().toString(36)}`;
      return runJob(cluster, jobSpec({ name, namespace: t.project, definition, argv }), { timeoutMs: opts.timeoutMs, signal: opts.signal, onLine: opts.onLine, pollMs });
    },

    async waitHealthy(ids, opts) {
      const reported = new Map<string, string>();
      const report = (info: ContainerInfo): void => {
        const key = `${info.state} ${info.health} ${info.lastHealthOutput ?? ""}`;
        if (reported.get(info.id) === key) return;
        reported.set(info.id, key);
        opts.onHealth?.(info);
      };
      let last: { tasks: SwarmTask[]; infos: ContainerInfo[] } = { tasks: [], infos: [] };
      const logTail = async (info: ContainerInfo | undefined): Promise<string> => {
        if (!info) return "";
        return (await platform.logs(info.id, 20).catch(() => "")).trimEnd();
      };
      try {
        await pollUntil(
          async () => {
            const { snapshot, containers } = await cluster.read(all);
            const infos = Object.values(containers).flat();
            last = { tasks: snapshot.tasks, infos };
            const pending: string[] = [];
            const lostNodes = new Map(snapshot.nodes.filter((n) => !isReady(n)).map((n) => [n.id, n.hostname]));
            for (const id of ids) {
              const task = findTask(snapshot.tasks, id);
              const lostOn = task?.NodeID ? lostNodes.get(task.NodeID) : undefined;
              if (lostOn) throw new FatalCheck(nodeLost([lostOn], `the task ${task?.ID.slice(0, 12)} of this release runs there, so it cannot be checked healthy`, "The color's other tasks are left as they are."));
              const containerId = task?.Status.ContainerStatus?.ContainerID;
              const info = infos.find((c) => c.id === containerId || c.id === id);
              if (info) report(info);
              const verdict = taskHealth(task, info);
              if (verdict.state === "failed") {
                const serviceName = snapshot.services.find((s) => s.ID === task?.ServiceID)?.Spec.Name ?? info?.service ?? "?";
                const node = snapshot.nodes.find((n) => n.id === task?.NodeID);
                throw new FatalCheck(new TaskFailedError(info?.name ?? id, node?.hostname, verdict.reason, await logTail(info), { manager: settings.manager, service: serviceName, nodeEndpoint: node?.endpoint, id: containerId ?? id }));
              }
              if (verdict.state === "waiting") pending.push(`${info?.name ?? id}${info?.node ? ` on ${info.node}` : ""}: ${verdict.detail}`);
            }
            return pending.length === 0 ? { done: true, value: undefined } : { done: false, pending: pending.join("; ") };
          },
          { intervalMs: opts.intervalMs, timeoutMs: opts.timeoutMs, signal: opts.signal, what: `waiting for ${ids.length} task(s) to become healthy`, state: "The tasks are left as they are.", timedOut: () => new HealthWaitTimeout() },
        );
      } catch (err) {
        if (!(err instanceof HealthWaitTimeout)) throw err;
        const pending = await Promise.all(
          ids.map(async (id): Promise<PendingHealth | null> => {
            const task = findTask(last.tasks, id);
            const info = last.infos.find((c) => c.id === task?.Status.ContainerStatus?.ContainerID || c.id === id);
            const verdict = taskHealth(task, info);
            if (verdict.state === "healthy") return null;
            return {
              name: `${info?.name ?? id}${info?.node ? ` on ${info.node}` : ""}`,
              state: task ? `task ${task.Status.State}` : "gone",
              health: info?.health ?? "unknown",
              lastHealthOutput: info?.lastHealthOutput ?? null,
              logTail: await logTail(info),
            };
          }),
        );
        throw new HealthTimeoutError(opts.timeoutMs, pending.filter((p): p is PendingHealth => p !== null));
      }
    },

    async logs(id, tail) {
      if (id.startsWith("service:")) return "";
      const found = await cluster.locate(id);
      if (!found?.node.client) throw new Error(`Container ${id} is not a task of stack ${settings.stack} on any node the manager knows${found ? ` (node ${found.node.hostname}: ${found.node.problem ?? "no endpoint"})` : ""}. What to do: \`bluegreen status\` lists the tasks and their nodes.`);
      return found.node.client.port.logs(found.info.id, tail);
    },

    watch: (slots, onEvent, onStatus) => watchNodes(cluster, slots.map(ns), onEvent, onStatus),

    serviceFacts: async (color) => parseServiceFacts(await composeConfig(compose, target(color), bins)),

    async connections(containers, port) {
      const nodes = await cluster.nodes();
      const counter = createConnectionCounter({
        exec: (id, argv) => {
          const host = containers.find((c) => c.id === id)?.node;
          const client = nodes.find((n) => n.hostname === host)?.client;
          if (!client) return Promise.reject(new Error(`no Docker endpoint for node ${host ?? "(none: not a swarm task)"}`));
          return client.port.exec(id, argv);
        },
      });
      return counter.count(
        containers.filter((c) => c.state === "running" && !c.id.startsWith("service:")),
        port,
      );
    },
  };

  async function removeVolumes(namespace: string): Promise<void> {
    // Volumes are node-local: each node that ran a task of the stack may hold its own.
    const problems: string[] = [];
    for (const node of await cluster.nodes()) {
      if (!node.client || !isReady(node)) continue;
      const listed = await node.client.get<{ Volumes?: { Name: string }[] | null }>(`/volumes?filters=${stackFilter(namespace)}`).catch(() => ({ Volumes: [] }));
      for (const volume of listed.Volumes ?? []) {
        await node.client
          .dockerode()
          .getVolume(volume.Name)
          .remove()
          .catch((err: unknown) => {
            if (statusOf(err) !== 404) problems.push(`${volume.Name} on ${node.hostname}: ${String((err as { json?: { message?: string } }).json?.message ?? err)}`);
          });
      }
    }
    if (problems.length > 0) throw new Error(`Stack ${namespace} is removed, but not all of its volumes: ${problems.join("; ")}. What to do: remove them by hand on those nodes (docker volume rm).`);
  }

  return platform;
}

/** The health wait's deadline passed (turned into HealthTimeoutError with what is pending). */
class HealthWaitTimeout extends Error {}
