import { request, type Agent } from "node:http";
import { posix } from "node:path";

/**
 * The few Docker Engine API calls on the hot path of `status`, `switch` and `rollback` (ping, one
 * labelled container list, inspect, kill with a signal, the event stream a verify watches), over
 * node:http. dockerode (with docker-modem, ssh2 and gRPC behind it) costs ~100–300 ms of module
 * loading per CLI process; these calls need none of it. exec and logs still go through dockerode,
 * loaded on first use.
 */
export interface EngineApiEndpoint {
  /** A unix socket path, or a plain-HTTP host:port (DOCKER_HOST=tcp://… without TLS). */
  socketPath?: string;
  host?: string;
  port?: number;
  /**
   * A keep-alive agent where a connection is dear (an ssh:// forward spawns one ssh per connection,
   * ~0.3 s each); otherwise none: a local socket costs nothing to open, and no socket outlives its request.
   */
  agent?: Agent;
}

/** An answer of the daemon that is not 2xx: the same fields dockerode's errors carry. */
export class EngineApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly json: { message?: string } | null,
    path: string,
  ) {
    super(`Docker Engine API ${path} answered ${statusCode}: ${json?.message ?? "(no message)"}`);
    this.name = "EngineApiError";
  }
}

/** The endpoint when neither the config's docker.host nor DOCKER_HOST names one. */
export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/**
 * The Docker endpoint bluegreen talks to, DOCKER_HOST-style: the config's docker.host when set, else
 * DOCKER_HOST, else the default unix socket. The one resolution of "which daemon": the Engine API
 * calls, dockerode and the stack lock's key (lockDirFor) all go through it.
 */
export function resolveDockerHost(configHost: string | null | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return configHost?.trim() || env.DOCKER_HOST?.trim() || DEFAULT_DOCKER_HOST;
}

/** host and port of a tcp:// endpoint; no port means Docker's plain-HTTP 2375. Throws on a malformed one. */
function tcpAddress(dockerHost: string): { host: string; port: number } {
  const url = new URL(`http://${dockerHost.slice("tcp://".length)}`);
  return { host: url.hostname, port: Number(url.port || 2375) };
}

/**
 * One spelling per endpoint, for keys (the stack lock): unix:// with a normalized path, tcp:// with
 * a lowercase host and an explicit port, anything else as written without trailing slashes. So
 * `unix:///var/run//docker.sock/` and an unset DOCKER_HOST name the same endpoint, as do
 * `tcp://Box:2375/` and `tcp://box:2375`.
 */
export function canonicalDockerHost(dockerHost: string): string {
  const host = dockerHost.trim();
  if (host.startsWith("unix://")) {
    const path = posix.normalize(host.slice("unix://".length));
    return `unix://${path.length > 1 ? path.replace(/\/+$/, "") : path}`;
  }
  if (host.startsWith("tcp://")) {
    try {
      const { host: name, port } = tcpAddress(host);
      return `tcp://${name}:${port}`;
    } catch {
      // Not a URL: keyed as written (dockerode will refuse it anyway).
    }
  }
  return host.replace(/\/+$/, "");
}

/**
 * The endpoint dockerode would use, or null when only dockerode can reach it (TLS, ssh, npipe).
 * DOCKER_HOST unset means the default unix socket.
 */
export function engineApiEndpoint(env: NodeJS.ProcessEnv, socketPath?: string): EngineApiEndpoint | null {
  if (socketPath) return { socketPath };
  const host = resolveDockerHost(null, env);
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  if (host.startsWith("tcp://") && !env.DOCKER_TLS_VERIFY && !env.DOCKER_CERT_PATH) return tcpAddress(host);
  return null;
}

/** One request, JSON in and out (or no body); rejects with EngineApiError on a non-2xx answer. */
export function engineApi<T>(endpoint: EngineApiEndpoint, method: "GET" | "POST" | "HEAD", path: string, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = request(
      { ...endpoint, method, path, headers: { host: "docker" }, agent: endpoint.agent ?? false, timeout: timeoutMs },
      (res) => {
        const status = res.statusCode ?? 0;
        readJsonBody(res).then((json) => {
          if (status >= 200 && status < 300) resolve(json as T);
          else reject(answerError(status, json, path));
        }, reject);
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end();
  });
}

/**
 * A streaming GET (the /events stream): resolves with the response body once the daemon answered
 * 2xx; `signal` ends it. No timeout: the stream stays open as long as the daemon keeps it.
 */
export function engineApiStream(endpoint: EngineApiEndpoint, path: string, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    const req = request({ ...endpoint, method: "GET", path, headers: { host: "docker" }, agent: false, signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve(res);
      else readJsonBody(res).then((json) => reject(answerError(status, json, path)), reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** A whole answer: its JSON, its text when it is not JSON, null when empty. */
function readJsonBody(res: NodeJS.ReadableStream): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("error", reject);
    res.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? JSON.parse(text) : null);
      } catch {
        resolve(text);
      }
    });
  });
}

function answerError(status: number, json: unknown, path: string): EngineApiError {
  return new EngineApiError(status, typeof json === "object" ? (json as { message?: string } | null) : { message: String(json) }, path);
}

/** `filters` as the Engine API takes them in a query string. */
export function filtersQuery(filters: Record<string, string[]>): string {
  return encodeURIComponent(JSON.stringify(filters));
}
