/**
 * What the swarm platform needs to know, as one plain object the config loader can fill
 * (bluegreen.yml's `swarm:` section, see the lab's printed config). Durations are milliseconds.
 */
import { parseSshEndpoint } from "../../docker/ssh-forward.js";
import type { Slot } from "../../domain/color.js";

export interface SwarmSettings {
  /** The stack's name: shared services are stack `<stack>`, the colors `<stack>-blue` / `<stack>-green`. */
  stack: string;
  /** Per slot, the compose file(s) `docker stack deploy -c` takes, relative to `cwd` or absolute. */
  files: Record<Slot, string[]>;
  /** Working directory for the docker CLI and compose (relative paths in the files resolve from it). */
  cwd: string;
  /** Interpolation variables for the compose files, over process.env (a release adds its version). */
  env: Record<string, string>;
  /** A manager's Docker endpoint (unix:///…, tcp://host:port or ssh://[user@]host[:port]): stack deploy/rm and the swarm API. */
  manager: string;
  /** How to reach each node's own Docker API, by its hostname as `docker node ls` shows it. */
  nodes?: Record<string, string>;
  /**
   * For a node not in `nodes` (and not the manager's own node): an endpoint template with {addr}
   * (the node's address in `docker node ls`) and {hostname}. Default "tcp://{addr}:2375".
   */
  nodeEndpoint?: string;
  /** An ssh_config file for ssh:// endpoints (`ssh -F`); unset: ssh's own (~/.ssh/config). */
  sshConfig?: string;
  /** The docker CLI (stack deploy/rm) and compose v1 binaries; tests point them elsewhere. */
  dockerBin?: string;
  composeV1Bin?: string;
  /** How long `start` waits for a rollout to finish (every task of the new spec created). Default 5 min. */
  rolloutTimeoutMs?: number;
  /** How long a rollout may wait without progress on tasks of a node the manager lost before it fails (15 s). */
  nodeLostGraceMs?: number;
  /** How long `stop` waits past its stop timeout, and `remove` in all, for tasks to be gone. Default 60 s / 120 s. */
  stopMarginMs?: number;
  removeTimeoutMs?: number;
  /** How often task states are re-read while waiting. Default 500 ms. */
  pollMs?: number;
}

export const DEFAULT_NODE_ENDPOINT = "tcp://{addr}:2375";

/** Pure: the stack (namespace) of a slot. */
export function stackName(stack: string, slot: Slot): string {
  return slot === "shared" ? stack : `${stack}-${slot}`;
}

/**
 * Pure: the endpoint of a node's Docker API: the configured one, else the manager's for the
 * manager's own node, else the template filled in.
 */
export function nodeEndpoint(settings: Pick<SwarmSettings, "manager" | "nodes" | "nodeEndpoint">, node: { hostname: string; addr: string; isManagerSelf: boolean }): string {
  const configured = settings.nodes?.[node.hostname];
  if (configured) return configured;
  if (node.isManagerSelf) return settings.manager;
  return (settings.nodeEndpoint ?? DEFAULT_NODE_ENDPOINT).replaceAll("{addr}", node.addr).replaceAll("{hostname}", node.hostname);
}

/**
 * Pure: why an endpoint cannot be used, or null. The Engine API calls (src/docker/engine-api.ts) and
 * dockerode's options (dockerodeOptions) speak unix:// and plain tcp://; ssh:// goes through a local
 * forward (src/docker/ssh-forward.ts). TLS (tcp with certificates) is not spoken.
 */
export function endpointProblem(endpoint: string): string | null {
  if (/^unix:\/\/\/./.test(endpoint)) return null;
  if (/^tcp:\/\/[^/]+/.test(endpoint)) return null;
  if (endpoint.startsWith("ssh://")) {
    return parseSshEndpoint(endpoint) ? null : `${endpoint}: not an ssh endpoint bluegreen can use; write ssh://[user@]host[:port] (no path)`;
  }
  return `${endpoint}: not a Docker endpoint bluegreen can use; write unix:///path/to/docker.sock, tcp://host:port or ssh://[user@]host[:port]`;
}
