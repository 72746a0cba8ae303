import { request } from "node:http";

export interface UnixHttpResponse {
  status: number;
  body: string;
}

/**
 * One HTTP request over a unix socket (the nginx and Caddy admin sockets), on a fresh connection
 * that is closed afterwards: after an nginx reload a kept-alive connection could still reach an
 * old worker and report the old routing. node:http, not undici: a rollback's CLI process should not
 * spend ~150 ms loading an HTTP client for a few requests on a local socket.
 */
export function unixHttp(
  socketPath: string,
  method: "GET" | "PATCH" | "PUT" | "POST",
  path: string,
  options: { body?: string; timeoutMs?: number; host?: string } = {},
): Promise<UnixHttpResponse> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Promise<UnixHttpResponse>((resolve, reject) => {
    const headers: Record<string, string> = {
      // Caddy's admin API on a unix socket wants an empty Host (RFC 7230 5.4), nginx a non-empty one.
      host: options.host ?? "localhost",
      connection: "close",
    };
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(options.body));
    }
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })), timeoutMs);
    const req = request({ socketPath, method, path, headers, agent: false, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(options.body);
  });
}
