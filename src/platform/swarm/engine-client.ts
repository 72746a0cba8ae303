/**
 * One Docker endpoint (the manager, or one node) as this adapter uses it: reads over the Engine API
 * client bluegreen already has (src/docker/engine-api.ts: no dockerode loading on the status path),
 * the container calls through the DockerPort of that endpoint (inspect, exec, logs), and dockerode,
 * loaded on first use, for what those do not cover: writes with a body (service create/update),
 * DELETE, and streams (follow logs, image save/load).
 */
import { Agent } from "node:http";
import { createRequire } from "node:module";
import type Dockerode from "dockerode";
import { createDockerPort, dockerodeOptions } from "../../docker/dockerode-port.js";
import { engineApi, engineApiEndpoint, engineApiStream, type EngineApiEndpoint } from "../../docker/engine-api.js";
import { DockerUnavailableError } from "../../docker/errors.js";
import { sshForward } from "../../docker/ssh-forward.js";
import type { DockerPort } from "../../docker/types.js";
import { endpointProblem } from "./settings.js";

export interface EngineClient {
  /** As configured (unix:///…, tcp://… or ssh://…), for messages. */
  readonly endpoint: string;
  /** What a docker CLI process gets as -H: the endpoint, or for ssh:// the local socket of its forward. */
  readonly dockerHost: string;
  get<T>(path: string, timeoutMs?: number): Promise<T>;
  stream(path: string, signal: AbortSignal): Promise<NodeJS.ReadableStream>;
  readonly port: DockerPort;
  dockerode(): Dockerode;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

/** "cannot connect" becomes the operator-facing DockerUnavailableError naming the endpoint. */
export function unreachable(endpoint: string, err: unknown, sshError?: string | null): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== "string" || !UNREACHABLE.has(code)) return err;
  return new DockerUnavailableError(endpoint, sshError ? Object.assign(new Error(`ssh: ${sshError}`), { code }) : err);
}

/** The HTTP status of an Engine API or dockerode error, if it is one. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

export function createEngineClient(endpoint: string, opts: { sshConfig?: string | undefined } = {}): EngineClient {
  const problem = endpointProblem(endpoint);
  if (problem) throw new Error(problem);
  // ssh://: every consumer below reaches the node through the forward's local socket.
  const forward = endpoint.startsWith("ssh://") ? sshForward(endpoint, { sshConfig: opts.sshConfig }) : null;
  const dockerHost = forward?.local ?? endpoint;
  // Only the endpoint itself decides: the operator's DOCKER_TLS_VERIFY must not turn it off.
  const local = engineApiEndpoint({ DOCKER_HOST: dockerHost });
  // Over ssh, requests reuse their connection (each new one is an ssh session and a remote docker
  // process); an idle one is unref'd, so it holds no CLI open. One agent for all three clients.
  const agent = forward ? new Agent({ keepAlive: true }) : undefined;
  const api: EngineApiEndpoint | null = local && agent ? { ...local, agent } : local;
  if (!api) throw new Error(`${endpoint}: not reachable through the Engine API client (bluegreen bug: endpointProblem let it through)`);
  let client: Dockerode | undefined;
  return {
    endpoint,
    dockerHost,
    get: <T>(path: string, timeoutMs?: number) =>
      engineApi<T>(api, "GET", path, timeoutMs).catch((err: unknown) => Promise.reject(unreachable(endpoint, err, forward?.lastError()))),
    stream: (path, signal) => engineApiStream(api, path, signal),
    port: createDockerPort({ host: dockerHost, ...(agent ? { agent } : {}) }),
    dockerode(): Dockerode {
      // require, not import(): dockerode is CommonJS and the CLI bundle cannot run a dynamic import().
      client ??= new (createRequire(import.meta.url)("dockerode") as typeof Dockerode)(dockerodeOptions(dockerHost, agent));
      return client;
    },
  };
}
