import type { ProxyDriverName } from "../../config/types.js";

/** What a generated proxy configuration needs to know. */
export interface ProxyConfigInput {
  driver: ProxyDriverName;
  /** Container port of the live route: the one the user's published port already maps to. */
  livePort: number;
  /** Container port of the preview route (published on 127.0.0.1 only). */
  previewPort: number;
  /** The proxied rotating service's base name and container port: upstream `<service>-<color>:<port>`. */
  service: string;
  servicePort: number;
  /** nginx only: how the routes are read (init probes the user's image for njs). Default: reload. */
  nginxRoute?: NginxRouteChoice;
}

/**
 * How an adopted nginx reads its routes, and why init chose it. njs: a function reads the route file
 * for every request, so a switch is a file write (no reload, no closed connection); it needs
 * ngx_http_js_module in the image. reload: each server includes its file; a switch reloads nginx.
 */
export type NginxRouteChoice =
  | { mode: "njs"; modulePath: string; script: string; why: string }
  | { mode: "reload"; why: string };

/** A file besides the config that the proxy needs, mounted read-only from bluegreen/. */
export interface ProxyExtraFile {
  fileName: string;
  content: string;
  mountPath: string;
}

/** A generated proxy: its config file, where it goes in the container, and how the container runs it. */
export interface ProxyConfigPlan {
  /** File name under bluegreen/ on the host. */
  fileName: string;
  content: string;
  /** Path inside the proxy container the file is mounted at (read-only). */
  mountPath: string;
  /** The proxy container's command (argv). */
  command: string[];
  /** Extra service keys the driver needs (user, environment). */
  extra: Record<string, unknown>;
  /** More files under bluegreen/, each mounted read-only (nginx's njs route script). */
  files?: ProxyExtraFile[];
  /** More volume entries of the proxy service (nginx's njs route directory). */
  volumes?: string[];
}

export function upstream(input: ProxyConfigInput, color: "blue" | "green"): string {
  return `${input.service}-${color}:${input.servicePort}`;
}
