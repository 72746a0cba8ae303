import { Agent, request } from "undici";

export interface UnixHttpResponse {
  status: number;
  body: string;
}

/**
 * One HTTP request over a unix socket (the nginx and Caddy admin sockets), on a fresh connection
 * that is closed afterwards: after an nginx reload a kept-alive connection could still reach an
 * old worker and report the old routing.
 */
export async function unixHttp(
  socketPath: string,
  method: "GET" | "PATCH" | "PUT" | "POST",
  path: string,
  options: { body?: string; timeoutMs?: number; host?: string } = {},
): Promise<UnixHttpResponse> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const agent = new Agent({
    connect: { socketPath, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    pipelining: 0,
  });
  try {
    const response = await request(`http://localhost${path}`, {
      dispatcher: agent,
      method,
      // Caddy's admin API on a unix socket wants an empty Host (RFC 7230 5.4), nginx a non-empty one.
      headers: { host: options.host ?? "localhost", ...(options.body === undefined ? {} : { "content-type": "application/json" }) },
      body: options.body,
      reset: true,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.statusCode, body: await response.body.text() };
  } finally {
    await agent.close();
  }
}
