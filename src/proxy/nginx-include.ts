import type { Color } from "../domain/color.js";
import { isColor } from "../domain/color.js";

/** The two nginx routes, each with its include file under <runDir>/nginx/. */
export type NginxRoute = "live" | "preview";

export interface NginxRouteTarget {
  color: Color;
  upstream: string;
}

/** The include file for a route: `set $bg_color green; set $bg_upstream app-green:3000;` */
export function renderNginxInclude(target: NginxRouteTarget): string {
  return (
    "# Written by bluegreen. Read per request by the proxy's njs route, or included at `nginx -s reload`.\n" +
    `set $bg_color ${target.color}; set $bg_upstream ${target.upstream};\n`
  );
}

/** Reads back an include file; null when it does not have the shape bluegreen writes. */
export function parseNginxInclude(text: string): NginxRouteTarget | null {
  const color = /set\s+\$bg_color\s+([A-Za-z]+)\s*;/.exec(text)?.[1];
  const upstream = /set\s+\$bg_upstream\s+([^\s;]+)\s*;/.exec(text)?.[1];
  if (!isColor(color) || upstream === undefined) return null;
  return { color, upstream };
}

/** What nginx's admin server answers on GET /bluegreen/targets. */
export interface NginxAdminTargets {
  live: Color | null;
  preview: Color | null;
  liveUpstream: string | null;
  previewUpstream: string | null;
  /** The worker that answered: it changes on every reload. */
  pid: number | null;
  /**
   * How the running nginx reads the route files: "njs" per request (a switch is a file write),
   * "reload" at (re)load (a switch is a reload); null for a config that does not say (older demo).
   */
  mode: NginxRouteMode | null;
}

export type NginxRouteMode = "njs" | "reload";

/** Parses the admin answer; throws with the raw text when it is not the expected JSON. */
export function parseNginxAdminTargets(body: string): NginxAdminTargets {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new Error(`nginx admin answered with something that is not JSON: ${body.slice(0, 200)}`);
  }
  if (typeof raw !== "object" || raw === null) {
    throw new Error(`nginx admin answered with unexpected JSON: ${body.slice(0, 200)}`);
  }
  const record = raw as Record<string, unknown>;
  const text = (key: string): string | null => (typeof record[key] === "string" ? (record[key] as string) : null);
  const live = text("live");
  const preview = text("preview");
  return {
    live: isColor(live) ? live : null,
    preview: isColor(preview) ? preview : null,
    liveUpstream: text("liveUpstream"),
    previewUpstream: text("previewUpstream"),
    pid: typeof record.pid === "number" ? record.pid : null,
    mode: record.mode === "njs" || record.mode === "reload" ? record.mode : null,
  };
}
