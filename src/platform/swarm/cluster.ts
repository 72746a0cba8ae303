/**
 * The swarm as seen from its manager: nodes, the stacks' services and tasks (one read each, in
 * parallel), and each task's container inspected on the engine of the node it runs on — the only
 * place a container exists. Node endpoints come from the settings (see nodeEndpoint).
 */
import { filtersQuery } from "../../docker/engine-api.js";
import { describeCause } from "../../docker/errors.js";
import type { ContainerInfo } from "../../docker/types.js";
import { STACK_LABEL, type SwarmNode, type SwarmService, type SwarmTask } from "./api-types.js";
import { createEngineClient, type EngineClient } from "./engine-client.js";
import { nodeEndpoint, type SwarmSettings } from "./settings.js";
import { isStopped } from "./stop-spec.js";
import { currentTasks, mayHaveContainer, scaledDownEntry, taskToContainerInfo } from "./tasks.js";

export interface NodeView {
  id: string;
  hostname: string;
  addr: string;
  /** "ready", "down", … as `docker node ls` shows it. */
  state: string;
  endpoint: string;
  /** null when its endpoint cannot be used (the reason is in `problem`). */
  client: EngineClient | null;
  problem: string | null;
}

/**
 * Whether the manager sees the node Ready. Any other state (down, unknown, disconnected) is a node
 * it lost: its tasks read as they last reported, and its Docker API is not used.
 */
export const isReady = (node: Pick<NodeView, "state">): boolean => node.state === "ready";

export interface StackSnapshot {
  nodes: NodeView[];
  services: SwarmService[];
  /** Every task the manager still keeps (history included). */
  tasks: SwarmTask[];
}

export interface Cluster {
  readonly manager: EngineClient;
  nodes(): Promise<NodeView[]>;
  /** Services and tasks of these stacks, and the nodes. */
  snapshot(namespaces: string[]): Promise<StackSnapshot>;
  /** The current tasks of each stack as containers (see currentTasks), containers inspected on their nodes. */
  containers(namespaces: string[]): Promise<Record<string, ContainerInfo[]>>;
  /** Both at once: the snapshot and the containers made from it. */
  read(namespaces: string[]): Promise<{ snapshot: StackSnapshot; containers: Record<string, ContainerInfo[]> }>;
  /** The node a container (or task) id was last seen on, by list or lookup; null when not found. */
  locate(id: string): Promise<{ node: NodeView; info: ContainerInfo } | null>;
}

export const stackFilter = (namespace: string): string => filtersQuery({ label: [`${STACK_LABEL}=${namespace}`] });

export function createCluster(settings: SwarmSettings, namespaces: string[]): Cluster {
  const manager = createEngineClient(settings.manager, { sshConfig: settings.sshConfig });
  const clients = new Map<string, EngineClient>([[settings.manager, manager]]);
  const clientFor = (endpoint: string): { client: EngineClient | null; problem: string | null } => {
    const known = clients.get(endpoint);
    if (known) return { client: known, problem: null };
    try {
      const client = createEngineClient(endpoint, { sshConfig: settings.sshConfig });
      clients.set(endpoint, client);
      return { client, problem: null };
    } catch (err) {
      return { client: null, problem: describeCause(err) };
    }
  };
  let selfId: string | null = null;
  // Which node each container id was last seen on: logs, exec and health reads go straight there.
  const seen = new Map<string, { nodeId: string; info: ContainerInfo }>();

  const nodes = async (): Promise<NodeView[]> => {
    const [list, info] = await Promise.all([
      manager.get<SwarmNode[]>("/nodes"),
      selfId === null ? manager.get<{ Swarm?: { NodeID?: string } }>("/info") : Promise.resolve(null),
    ]);
    if (info) selfId = info.Swarm?.NodeID ?? "";
    return list.map((n) => {
      const hostname = n.Description?.Hostname ?? n.ID;
      const addr = n.Status?.Addr ?? "";
      const endpoint = nodeEndpoint(settings, { hostname, addr, isManagerSelf: n.ID === selfId });
      return { id: n.ID, hostname, addr, state: n.Status?.State ?? "unknown", endpoint, ...clientFor(endpoint) };
    });
  };

  const snapshot = async (stacks: string[]): Promise<StackSnapshot> => {
    const [nodeList, services, tasks] = await Promise.all([
      nodes(),
      Promise.all(stacks.map((ns) => manager.get<SwarmService[]>(`/services?filters=${stackFilter(ns)}`))).then((l) => l.flat()),
      Promise.all(stacks.map((ns) => manager.get<SwarmTask[]>(`/tasks?filters=${stackFilter(ns)}`))).then((l) => l.flat()),
    ]);
    return { nodes: nodeList, services, tasks };
  };

  const read = async (stacks: string[]): Promise<{ snapshot: StackSnapshot; containers: Record<string, ContainerInfo[]> }> => {
    const snap = await snapshot(stacks);
    const nodeById = new Map(snap.nodes.map((n) => [n.id, n]));
    const serviceById = new Map(snap.services.map((s) => [s.ID, s]));
    // A task on a node the manager lost still reads as it last reported ("running"), yet nothing
    // reaches it: Swarm replaces what it can elsewhere, and the node stops it when it is back. It is
    // left out of the stack's containers (no health, no proxy replica); degraded() names the node.
    const onLostNode = (t: SwarmTask): boolean => {
      const node = t.NodeID ? nodeById.get(t.NodeID) : undefined;
      return node !== undefined && !isReady(node);
    };
    const current = currentTasks(snap.tasks).filter((t) => serviceById.has(t.ServiceID) && !onLostNode(t));
    const stopping = (t: SwarmTask): boolean => t.DesiredState !== "running" && t.DesiredState !== "ready" && (t.Status.State === "running" || t.Status.State === "starting");
    const shown = new Set<string>(); // services with a task in the list
    const infos = await Promise.all(
      current.map(async (task) => {
        const service = serviceById.get(task.ServiceID) as SwarmService;
        const namespace = service.Spec.Labels?.[STACK_LABEL] ?? "";
        const node = task.NodeID ? nodeById.get(task.NodeID) : undefined;
        const id = task.Status.ContainerStatus?.ContainerID;
        let container: ContainerInfo | null = null;
        let containerError: string | undefined;
        if (id && node && mayHaveContainer(task)) {
          if (!node.client) containerError = `node ${node.hostname}: ${node.problem ?? "no endpoint"}`;
          else {
            try {
              container = await node.client.port.inspect(id);
            } catch (err) {
              containerError = `node ${node.hostname}'s engine (${node.endpoint}) did not answer: ${describeCause(err)}`;
            }
          }
        }
        // A task Swarm is stopping whose container has already exited: its node has not reported it yet
        // (the manager lags by up to a second). It is gone, as the next read will say: leave it out now,
        // so a color scaled to 0 reads as stopped, not as its last tasks "exited".
        if (container && container.state !== "running" && stopping(task)) return null;
        const info = taskToContainerInfo({ task, service, namespace, node: node?.hostname, container, ...(containerError ? { containerError } : {}) });
        if (node) seen.set(info.id, { nodeId: node.id, info });
        shown.add(task.ServiceID);
        return info;
      }),
    );
    const out: Record<string, ContainerInfo[]> = Object.fromEntries(stacks.map((ns) => [ns, []]));
    for (const info of infos) if (info) out[info.project]?.push(info);
    for (const service of snap.services) {
      const namespace = service.Spec.Labels?.[STACK_LABEL] ?? "";
      if (isStopped(service) && !shown.has(service.ID)) out[namespace]?.push(scaledDownEntry(service, namespace));
    }
    return { snapshot: snap, containers: out };
  };
  const containers = async (stacks: string[]): Promise<Record<string, ContainerInfo[]>> => (await read(stacks)).containers;

  return {
    manager,
    nodes,
    snapshot,
    containers,
    read,
    async locate(id) {
      const find = async (): Promise<{ node: NodeView; info: ContainerInfo } | null> => {
        const hit = [...seen.entries()].find(([key]) => key === id || key.startsWith(id));
        if (!hit) return null;
        const node = (await nodes()).find((n) => n.id === hit[1].nodeId);
        return node ? { node, info: hit[1].info } : null;
      };
      const cached = await find();
      if (cached) return cached;
      await containers(namespaces);
      return find();
    },
  };
}
