import type { ExecResult } from "../docker/types.js";

/**
 * The smallest part of Docker the proxy drivers need: run argv (no shell) inside a running
 * container. The dockerode adapter (DockerPort) satisfies it as it is.
 */
export interface ProxyExec {
  exec(containerNameOrId: string, argv: string[]): Promise<ExecResult>;
}

/** Finds the running proxy container (compose project `${stack}`, service `proxy`): its id. */
export type FindProxyContainer = () => Promise<string>;
