/** What init infers from a compose project: the proxy service, its config file, the proxied service. */
import type { ProxyDriverName } from "../config/types.js";
import type { ComposeProject, ServiceFacts } from "../platform/compose/index.js";
import { isMapping, servicePort } from "../platform/compose/index.js";

const KINDS: ProxyDriverName[] = ["haproxy", "caddy", "nginx"];

/** nginx / caddy / haproxy when the service's image, build context or name says so. */
export function proxyKind(service: ServiceFacts): ProxyDriverName | null {
  const haystack = [service.image ?? "", service.build?.context ?? "", service.build?.dockerfile ?? "", service.name].join(" ").toLowerCase();
  return KINDS.find((kind) => haystack.includes(kind)) ?? null;
}

export function findProxyService(project: ComposeProject, rotate: string[]): ServiceFacts | null {
  return project.services.find((s) => !rotate.includes(s.name) && proxyKind(s) !== null) ?? null;
}

/** Where a proxy of this kind reads its config inside the container, by convention. */
const CONFIG_TARGETS: Record<ProxyDriverName, RegExp> = {
  nginx: /^\/etc\/nginx\/(nginx\.conf|conf\.d\/[^/]+\.conf|sites-enabled\/[^/]+)$/,
  caddy: /^\/etc\/caddy\/(Caddyfile|[^/]+\.json)$/,
  haproxy: /^\/(usr\/local\/)?etc\/haproxy\/haproxy\.cfg$/,
};
const CONFIG_NAMES: Record<ProxyDriverName, string[]> = {
  nginx: ["nginx.conf", "default.conf", "app.conf"],
  caddy: ["Caddyfile", "caddy.json"],
  haproxy: ["haproxy.cfg"],
};

export interface ProxyConfigLocation {
  /** Host path relative to the project directory. */
  hostPath: string;
  /** The bind mount entry it came from (to drop from the adopted service), or null when baked into the image. */
  mountEntry: unknown;
}

function bindMount(entry: unknown): { source: string; target: string } | null {
  if (isMapping(entry)) return entry.type === "bind" && typeof entry.source === "string" && typeof entry.target === "string" ? { source: entry.source, target: entry.target } : null;
  if (typeof entry !== "string") return null;
  const [source, target] = entry.split(":");
  if (!source || !target || !/^[./~]/.test(source)) return null;
  return { source, target };
}

function relative(path: string): string {
  return path.replace(/^\.\//, "");
}

/** Candidate host paths of the user's proxy config: bind mounts first, then files in the build context. */
export function proxyConfigCandidates(service: ServiceFacts, kind: ProxyDriverName): ProxyConfigLocation[] {
  const volumes = Array.isArray(service.raw.volumes) ? service.raw.volumes : [];
  const mounted = volumes.flatMap((entry: unknown) => {
    const mount = bindMount(entry);
    return mount && CONFIG_TARGETS[kind].test(mount.target) ? [{ hostPath: relative(mount.source), mountEntry: entry }] : [];
  });
  const context = service.build ? relative(service.build.context).replace(/\/$/, "") : null;
  const baked = context === null ? [] : CONFIG_NAMES[kind].map((name) => ({ hostPath: context === "." || context === "" ? name : `${context}/${name}`, mountEntry: null }));
  return [...mounted, ...baked];
}

/** The rotating service the proxy sends traffic to: named in the user's proxy config, else the first with a port. */
export function proxiedService(project: ComposeProject, rotate: string[], proxyConfigText: string | null): ServiceFacts | null {
  const rotating = project.services.filter((s) => rotate.includes(s.name));
  const named = proxyConfigText === null ? undefined : rotating.find((s) => new RegExp(`(^|[^\\w-])${s.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(:\\d+|[^\\w-]|$)`, "m").test(proxyConfigText));
  return named ?? rotating.find((s) => servicePort(s) !== null) ?? null;
}

/** The container port the user's proxy config dials for a service (`web:3000`), when it says. */
export function portInProxyConfig(text: string | null, service: string): number | null {
  if (text === null) return null;
  const match = new RegExp(`${service.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d{1,5})`).exec(text);
  return match?.[1] ? Number(match[1]) : null;
}
