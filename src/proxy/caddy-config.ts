/** The parts of Caddy's JSON config that bluegreen reads and changes. */

export type CaddyRoute = "live" | "preview";

/** `@id` of each route in the proxy's config (fixtures/proxy/caddy/caddy.json). */
export const CADDY_ROUTE_IDS: Record<CaddyRoute, string> = { live: "bg-live", preview: "bg-preview" };

export interface CaddyUpstream {
  dial: string;
}

/** Where the reverse_proxy handler sits in a route, and what it dials now. */
export interface CaddyProxyHandler {
  /** Index in the route's `handle` array: the admin path is /id/<id>/handle/<index>/upstreams. */
  index: number;
  dials: string[];
}

/**
 * Finds the single reverse_proxy handler in a route object as GET /id/<id> returns it. Throws
 * with what was found when the route does not have that shape.
 */
export function findReverseProxy(route: unknown, id: string): CaddyProxyHandler {
  const handle = isRecord(route) ? route.handle : undefined;
  if (!Array.isArray(handle)) {
    throw new Error(`Caddy route "${id}" has no "handle" list: ${JSON.stringify(route)?.slice(0, 200)}`);
  }
  const indexes = handle.flatMap((h: unknown, i) => (isRecord(h) && h.handler === "reverse_proxy" ? [i] : []));
  if (indexes.length !== 1 || indexes[0] === undefined) {
    throw new Error(`Caddy route "${id}" must have exactly one reverse_proxy handler, found ${indexes.length}`);
  }
  const index = indexes[0];
  const upstreams = (handle[index] as Record<string, unknown>).upstreams;
  const dials = Array.isArray(upstreams)
    ? upstreams.flatMap((u: unknown) => (isRecord(u) && typeof u.dial === "string" ? [u.dial] : []))
    : [];
  return { index, dials };
}

/**
 * The body of the PATCH that points a route at one upstream. The live route also lists the other
 * color second (`fallback`): its load_balancing (fixtures/proxy/caddy/caddy.json) picks the first
 * available upstream and, when the target cannot be dialed (a release that died right after the
 * switch), retries on the other, still-warm color, as nginx's and HAProxy's fallbacks do. Dial
 * failures are retried for every method (nothing was sent); other errors only for GET and HEAD.
 * The route's color is always its first upstream.
 */
export function upstreamsBody(dial: string, fallback?: string): CaddyUpstream[] {
  return fallback && fallback !== dial ? [{ dial }, { dial: fallback }] : [{ dial }];
}

/** Caddy's error answers are `{"error": "..."}`; otherwise the raw text. */
export function caddyErrorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isRecord(parsed) && typeof parsed.error === "string") return parsed.error;
  } catch {
    // not JSON: fall through
  }
  return body.trim().slice(0, 300);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The reverse_proxy `headers` block that marks each response with the color that served it
 * (X-Bluegreen-Color), for a route whose upstreams follow `upstreamTemplate` ("app-{color}:3000").
 * It reads the upstream Caddy really dialled, so it stays right when a route lists both colors.
 */
export function colorHeaderOps(upstreamTemplate: string): { response: { set: Record<string, string[]>; replace: Record<string, Array<{ search_regexp: string; replace: string }>> } } {
  const host = upstreamTemplate.replace(/:\d+\s*$/, "");
  const [before, after] = host.split("{color}", 2) as [string, string | undefined];
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    response: {
      set: { "X-Bluegreen-Color": ["{http.reverse_proxy.upstream.host}"] },
      replace: { "X-Bluegreen-Color": [{ search_regexp: `^${escape(before)}(blue|green)${escape(after ?? "")}$`, replace: "$1" }] },
    },
  };
}
