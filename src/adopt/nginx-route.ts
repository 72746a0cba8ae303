/**
 * Which way an adopted nginx reads its routes (proxy/nginx.ts): njs per request when the image the
 * stack will run has ngx_http_js_module, else reload. init cannot know from the compose file, so it
 * looks inside the image: the one named, or the one compose builds for the proxy service (built the
 * way the first deploy would, under the stack's project name, so the deploy reuses it). Any doubt
 * means reload: a config that loads a missing module would stop nginx from starting.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ComposeRunner } from "../docker/types.js";
import type { ImageProbe, ImageRunResult } from "../docker/image-probe.js";
import { findPackageRoot } from "../fs/package-root.js";
import type { ComposeProject } from "../platform/compose/index.js";
import { findProxyService, proxyKind } from "./detect.js";
import type { NginxRouteChoice } from "./proxy/index.js";
import type { InitOptions } from "./types.js";
import { DEFAULT_PROXY_IMAGE } from "./types.js";

/** Where nginx packages put dynamic modules (official image, Debian, Alpine/RHEL). */
export const NGINX_MODULE_DIRS = ["/etc/nginx/modules", "/usr/lib/nginx/modules", "/usr/share/nginx/modules"] as const;
export const NJS_MODULE = "ngx_http_js_module.so";
/** The njs route script, one source for the demo's image and for init: shipped in `files` (fixtures/). */
export const ROUTE_SCRIPT_PATH = "fixtures/proxy/nginx/route/bluegreen-route.js";

export type NginxRoutePreference = "auto" | "njs" | "reload";

const PROBE_TIMEOUT_MS = 60_000;
const BUILD_TIMEOUT_MS = 600_000;

/** The image the adopted proxy will run: named, built by compose for a service, or not knowable. */
export type NginxImageSource = { kind: "image"; image: string } | { kind: "build"; service: string; image: string } | { kind: "unknown"; why: string };

/** Which image runs as the stack's nginx (pure; `composeVariant` decides the name of a built image). */
export function nginxImageSource(project: ComposeProject, options: Pick<InitOptions, "rotate" | "stack" | "proxyImage">, composeVariant: "v1" | "v2"): NginxImageSource {
  const user = findProxyService(project, options.rotate);
  if (!user || proxyKind(user) !== "nginx") return { kind: "image", image: options.proxyImage ?? DEFAULT_PROXY_IMAGE.nginx };
  if (user.image?.includes("$")) return { kind: "unknown", why: `its image name ${user.image} uses a variable that init does not resolve` };
  if (user.build) return { kind: "build", service: user.name, image: user.image ?? `${options.stack}${composeVariant === "v1" ? "_" : "-"}${user.name}` };
  if (user.image) return { kind: "image", image: user.image };
  return { kind: "unknown", why: `service "${user.name}" has neither image: nor build:` };
}

/** The argv listing the candidate module files (`ls -1d` prints the ones that exist). */
export function moduleProbeArgv(): string[] {
  return ["-1d", ...NGINX_MODULE_DIRS.map((d) => `${d}/${NJS_MODULE}`)];
}

/** What the listing says: the module's path, absent, or that the look could not be made. */
export function readModuleProbe(result: ImageRunResult): { found: string } | { absent: true } | { error: string } {
  const printed = new Set(result.stdout.split("\n").map((l) => l.trim()));
  const found = NGINX_MODULE_DIRS.map((d) => `${d}/${NJS_MODULE}`).find((p) => printed.has(p));
  if (found) return { found };
  if (result.timedOut) return { error: "the look inside timed out" };
  // ls exits 1 (BusyBox) or 2 (GNU) when a path does not exist; 125-127 are docker's or the entrypoint's.
  if ((result.exitCode === 1 || result.exitCode === 2) && /no such file/i.test(result.stderr)) return { absent: true };
  const why = result.stderr.trim().split("\n").filter(Boolean).pop() ?? `exit ${result.exitCode ?? "?"}`;
  return { error: why };
}

export async function readRouteScript(): Promise<string> {
  const root = findPackageRoot(import.meta.url);
  if (!root) throw new Error(`cannot find the bluegreen package directory from ${import.meta.url}, so not ${ROUTE_SCRIPT_PATH}`);
  return readFile(join(root.dir, ROUTE_SCRIPT_PATH), "utf8");
}

export interface NginxRoutePorts {
  compose: ComposeRunner;
  probe: ImageProbe;
  script: () => Promise<string>;
}

/** Chooses the route mode for `bluegreen init`, saying why; reload whenever the module is not certainly there. */
export async function chooseNginxRoute(
  args: { dir: string; project: ComposeProject; options: Pick<InitOptions, "rotate" | "stack" | "proxyImage">; preference: NginxRoutePreference; onLine?: (line: string) => void },
  ports: NginxRoutePorts,
): Promise<NginxRouteChoice> {
  if (args.preference === "reload") return { mode: "reload", why: "--nginx-route reload" };
  let variant: "v1" | "v2" = "v1";
  try {
    variant = await ports.compose.variant();
  } catch {
    // no compose: a built image cannot be made, the named one can still be looked at
  }
  const source = nginxImageSource(args.project, args.options, variant);
  if (source.kind === "unknown") return { mode: "reload", why: `init cannot tell whether the image has njs: ${source.why}` };
  if (source.kind === "build") {
    args.onLine?.(`building ${source.service}'s image (${source.image}) to see whether it has njs…`);
    try {
      await ports.compose.build({ project: args.options.stack, files: args.project.files, cwd: args.dir, env: {} }, undefined, { services: [source.service], signal: AbortSignal.timeout(BUILD_TIMEOUT_MS) });
    } catch (err) {
      const why = (err instanceof Error ? err.message : String(err)).split("\n")[0];
      return { mode: "reload", why: `the image of "${source.service}" could not be built to look inside it (${why})` };
    }
  }
  const verdict = readModuleProbe(await ports.probe.run(source.image, "ls", moduleProbeArgv(), PROBE_TIMEOUT_MS));
  if ("found" in verdict) return { mode: "njs", modulePath: verdict.found, script: await ports.script(), why: `the image ${source.image} has ${verdict.found}` };
  if ("absent" in verdict) return { mode: "reload", why: `the image ${source.image} has no ${NJS_MODULE} in ${NGINX_MODULE_DIRS.join(", ")}` };
  return { mode: "reload", why: `the image ${source.image} could not be looked inside (${verdict.error})` };
}

/**
 * The route mode an existing generated nginx.conf was written with (doctor re-plans with it: it
 * never builds or runs an image). null when the file is not init's.
 */
export function routeOfConfig(text: string | null, script: string): NginxRouteChoice | null {
  if (text === null) return null;
  const line = /^# Route mode: (njs|reload) \((.*)\)\.$/m.exec(text);
  if (!line?.[1] || line[2] === undefined) return null;
  if (line[1] === "reload") return { mode: "reload", why: line[2] };
  const modulePath = /^load_module\s+(\S+);/m.exec(text)?.[1];
  return modulePath ? { mode: "njs", modulePath, script, why: line[2] } : null;
}
