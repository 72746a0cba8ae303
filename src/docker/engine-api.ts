import { request } from "node:http";

/**
 * The few Docker Engine API calls on the hot path of `status`, `switch` and `rollback` (ping, one
 * labelled container list, inspect, kill with a signal), over node:http. dockerode (with docker-modem,
 * ssh2 and gRPC behind it) costs ~300 ms of module loading per CLI process; these calls need none of
 * it. Everything else (exec, logs, the event stream) still goes through dockerode, loaded on first use.
 */
export interface EngineApiEndpoint {
  /** A unix socket path, or a plain-HTTP host:port (DOCKER_HOST=tcp://… without TLS). */
  socketPath?: string;
  host?: string;
  port?: number;
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

/**
 * The endpoint dockerode would use, or null when only dockerode can reach it (TLS, ssh, npipe).
 * DOCKER_HOST unset means the default unix socket.
 */
export function engineApiEndpoint(env: NodeJS.ProcessEnv, socketPath?: string): EngineApiEndpoint | null {
  if (socketPath) return { socketPath };
  const host = env.DOCKER_HOST;
  if (!host) return { socketPath: "/var/run/docker.sock" };
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  if (host.startsWith("tcp://") && !env.DOCKER_TLS_VERIFY && !env.DOCKER_CERT_PATH) {
    const url = new URL(`http://${host.slice("tcp://".length)}`);
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return null;
}

/** One request, JSON in and out (or no body); rejects with EngineApiError on a non-2xx answer. */
export function engineApi<T>(endpoint: EngineApiEndpoint, method: "GET" | "POST" | "HEAD", path: string, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = request(
      { ...endpoint, method, path, headers: { host: "docker" }, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = text;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(json as T);
          else reject(new EngineApiError(status, typeof json === "object" ? (json as { message?: string }) : { message: String(json) }, path));
        });
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end();
  });
}

/** `filters` as the Engine API takes them in a query string. */
export function filtersQuery(filters: Record<string, string[]>): string {
  return encodeURIComponent(JSON.stringify(filters));
}
