import type { ErrorClass } from "./types.js";

/**
 * The classification rule (the harness's definition of a lost request):
 *
 * - A response with status >= 400 is a hard failure ("http-<status>"); 5xx is the usual case.
 * - A request that got no response is a *keep-alive close* only when BOTH hold:
 *   1. it was written on a reused socket, i.e. one that had already carried a request. This is
 *      measured per request (probe.ts tags every request and counts requests per socket through
 *      undici's `undici:client:sendHeaders` diagnostics channel; autocannon.ts counts responses
 *      per connection) — never guessed from the error code, and
 *   2. the socket was closed or reset under it: ECONNRESET, EPIPE, UND_ERR_SOCKET ("other side
 *      closed"), UND_ERR_CLOSED.
 *   That is what an old nginx/Caddy worker does to idle keep-alive connections on reload; browsers
 *   and undici's retry agent resend such idempotent requests, so it is reported apart.
 * - Everything else is hard: connection refused, timeouts, a reset on a fresh connection, DNS,
 *   any unknown error.
 */
const SOCKET_CLOSED_CODES = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

export interface FailedRequest {
  status?: number | null;
  errorCode?: string | null;
  reusedSocket: boolean;
}

export interface Classification {
  error: ErrorClass | null;
  errorCode?: string;
}

export function classifyStatus(status: number): Classification {
  if (status >= 400) return { error: "hard", errorCode: `http-${status}` };
  return { error: null };
}

export function classifyError(errorCode: string | null | undefined, reusedSocket: boolean): Classification {
  const code = errorCode ?? "unknown";
  if (reusedSocket && SOCKET_CLOSED_CODES.has(code)) return { error: "keepalive-close", errorCode: code };
  return { error: "hard", errorCode: code };
}

/** The code we record for a thrown error: its `code` if it has one, else its name. */
export function errorCodeOf(error: unknown): string {
  if (error && typeof error === "object") {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.length > 0) return code;
    const name = (error as { name?: unknown }).name;
    if (name === "AbortError" || name === "TimeoutError") return "timeout";
    if (typeof name === "string" && name.length > 0 && name !== "Error") return name;
  }
  return "unknown";
}
