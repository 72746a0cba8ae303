/** compose.bluegreen.yml: the services that are never duplicated (datastores, the proxy) as one project. */
import type { ComposeProject, Mapping, PortFact, ServiceFacts } from "../platform/compose/index.js";
import { isMapping } from "../platform/compose/index.js";
import type { ProxyConfigPlan } from "./proxy/index.js";
import { GENERATED } from "./types.js";
import { sharedNetworkName } from "./color-file.js";

const EXTEND_BLOCKERS = ["depends_on", "links", "volumes_from", "extends", "network_mode"];

export function sharedService(service: ServiceFacts, rotate: string[], composeFiles: string[]): { definition: Mapping; extended: boolean } {
  if (composeFiles.length === 1 && EXTEND_BLOCKERS.every((k) => service.raw[k] === undefined)) {
    return { definition: { extends: { file: composeFiles[0], service: service.name } }, extended: true };
  }
  const def = structuredClone(service.raw);
  delete def.links;
  const deps = service.dependsOn.filter((d) => !rotate.includes(d));
  if (deps.length === 0) delete def.depends_on;
  else def.depends_on = isMapping(def.depends_on) ? Object.fromEntries(Object.entries(def.depends_on).filter(([k]) => deps.includes(k))) : deps;
  return { definition: def, extended: false };
}

function portEntry(hostIp: string | null, published: string, target: number): string {
  return `${hostIp ? `${hostIp}:` : ""}${published}:${target}`;
}

/**
 * The proxy as bluegreen runs it: the user's proxy service (same image or build, same published
 * ports) with bluegreen's config mounted over its own, the run dir, a preview port on 127.0.0.1 and
 * the command that removes a stale admin socket; or, when there is none of that kind, bluegreen's own
 * proxy taking over the host ports the app published.
 */
export function proxyService(args: {
  base: ServiceFacts | null;
  image: string;
  livePorts: PortFact[];
  livePort: number;
  previewHostPort: number;
  previewPort: number;
  rotate: string[];
  plan: ProxyConfigPlan;
  dropMount: unknown;
}): Mapping {
  const def: Mapping = args.base ? structuredClone(args.base.raw) : { image: args.image };
  delete def.links;
  if (args.base) {
    const deps = args.base.dependsOn.filter((d) => !args.rotate.includes(d));
    if (deps.length === 0) delete def.depends_on;
    else def.depends_on = deps;
  }
  const volumes = (Array.isArray(def.volumes) ? def.volumes : []).filter((v) => JSON.stringify(v) !== JSON.stringify(args.dropMount) && !String(typeof v === "string" ? v : "").includes(`:${args.plan.mountPath}`));
  const extraMounts = (args.plan.files ?? []).map((f) => `./${GENERATED.proxyDir}/${f.fileName}:${f.mountPath}:ro`);
  def.volumes = [...volumes, `./${GENERATED.proxyDir}/${args.plan.fileName}:${args.plan.mountPath}:ro`, ...extraMounts, "${BG_RUN_DIR:-./.bluegreen/run}:/run/bluegreen", ...(args.plan.volumes ?? [])];
  const published = args.base ? (Array.isArray(def.ports) ? def.ports : []) : args.livePorts.filter((p) => p.published !== null).map((p) => portEntry(p.hostIp, p.published ?? "", args.livePort));
  const preview = `127.0.0.1:${args.previewHostPort}:${args.previewPort}`;
  def.ports = [...published.filter((p) => p !== preview), preview];
  def.command = args.plan.command;
  for (const [key, value] of Object.entries(args.plan.extra)) {
    if (key === "environment" && isMapping(value)) def.environment = mergeEnvironment(def.environment, value);
    else def[key] = value;
  }
  def.labels = { ...labelMap(def.labels), "bluegreen.role": "proxy" };
  return def;
}

function labelMap(labels: unknown): Mapping {
  if (isMapping(labels)) return labels;
  return Object.fromEntries((Array.isArray(labels) ? labels : []).map((l) => String(l).split("=", 2) as [string, string]));
}

function mergeEnvironment(existing: unknown, extra: Mapping): Mapping {
  const base = isMapping(existing) ? existing : Object.fromEntries((Array.isArray(existing) ? existing : []).map((l) => String(l).split("=", 2) as [string, string]));
  return { ...base, ...extra };
}

/** Top-level networks of the shared project: the default one named `<stack>_net`, the user's own named per stack. */
export function sharedNetworks(project: ComposeProject, stack: string): Mapping {
  const networks: Mapping = { default: { name: sharedNetworkName("default", project, stack) } };
  for (const [name, def] of Object.entries(project.networks)) {
    if (name === "default") continue;
    const d = isMapping(def) ? structuredClone(def) : {};
    if (d.external !== true && typeof d.name !== "string") d.name = sharedNetworkName(name, project, stack);
    networks[name] = d;
  }
  return networks;
}
