/** The base URL a run checks, and the URLs of its checks. */

/** A base URL that cannot be used: the run does not start. */
export class SmokeUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SmokeUsageError";
  }
}

export function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SmokeUsageError(`smoke target "${text}" is not a URL; nothing was checked. Give a base URL such as http://127.0.0.1:8081`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SmokeUsageError(`smoke target "${text}" uses ${url.protocol}; nothing was checked. Give an http:// or https:// base URL (WebSocket checks derive ws:// from it)`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new SmokeUsageError(`smoke target "${text}" has a query or fragment; nothing was checked. Give only scheme, host, port and an optional path prefix`);
  }
  return url;
}

/** Joins the base URL (which may carry a path prefix) and a check path that starts with "/". */
export function checkUrl(base: URL, path: string, protocol?: "ws" | "wss"): URL {
  const prefix = base.pathname.replace(/\/+$/, "");
  const url = new URL(`${base.origin}${prefix}${path}`);
  if (protocol !== undefined) url.protocol = `${protocol}:`;
  return url;
}
