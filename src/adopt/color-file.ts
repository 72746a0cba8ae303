/** compose.<color>.yml: the rotating services, renamed `<name>-<color>`, without what collides between colors. */
import type { Color } from "../domain/color.js";
import type { ComposeProject, Mapping, ServiceFacts } from "../platform/compose/index.js";
import { isMapping } from "../platform/compose/index.js";
import { VERSION_VARIABLE } from "./types.js";

/** Keys that would collide between two colors running at once, or that point at services of another project. */
const DROPPED = ["ports", "container_name", "hostname", "depends_on", "links"] as const;
/** What makes compose 1.29 refuse (or keep) an `extends`: then the color file carries a copy. */
const BLOCKS_EXTENDS = ["ports", "container_name", "hostname", "depends_on", "links", "volumes_from", "network_mode", "extends"];

export interface ColorService {
  name: string;
  definition: Mapping;
  extended: boolean;
  notes: string[];
}

const version = `\${${VERSION_VARIABLE}:-dev}`;

/** `repo:tag` → `repo:${BLUEGREEN_VERSION:-tag}` (keeps a registry host's port). */
export function versionedImage(image: string): string {
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  const hasTag = colon > slash;
  const repo = hasTag ? image.slice(0, colon) : image.replace(/@.*$/, "");
  const tag = hasTag ? image.slice(colon + 1) : "latest";
  return `${repo}:\${${VERSION_VARIABLE}:-${tag}}`;
}

export function canExtend(service: ServiceFacts, composeFiles: string[]): boolean {
  return composeFiles.length === 1 && BLOCKS_EXTENDS.every((key) => service.raw[key] === undefined);
}

export function colorService(service: ServiceFacts, color: Color, ctx: { stack: string; composeFiles: string[] }): ColorService {
  const notes: string[] = [];
  const extended = canExtend(service, ctx.composeFiles);
  const def: Mapping = extended ? { extends: { file: ctx.composeFiles[0], service: service.name } } : structuredClone(service.raw);
  if (!extended) for (const key of DROPPED) delete def[key];
  if (service.build) {
    const build: Mapping = isMapping(service.raw.build) ? structuredClone(service.raw.build) : { context: service.build.context };
    const args = isMapping(build.args) ? build.args : Array.isArray(build.args) ? Object.fromEntries(build.args.map((a) => String(a).split("=", 2) as [string, string])) : {};
    build.args = { ...args, [VERSION_VARIABLE]: version };
    def.build = build;
    def.image = service.image ? versionedImage(service.image) : `${ctx.stack}/${service.name}:${version}`;
  } else if (service.image) {
    def.image = versionedImage(service.image);
  }
  const labels = isMapping(service.raw.labels) || extended ? (extended ? {} : { ...(service.raw.labels as Mapping) }) : Object.fromEntries((Array.isArray(service.raw.labels) ? service.raw.labels : []).map((l) => String(l).split("=", 2) as [string, string]));
  def.labels = { ...labels, "bluegreen.color": color, "bluegreen.version": version };
  if (service.init === null) def.init = true;
  if (service.ports.length > 0) notes.push(`${service.name}: its ports (${service.ports.map((p) => (p.published ? `${p.published}:${p.target}` : String(p.target))).join(", ")}) are not published by the colors; the proxy carries that traffic`);
  if (service.containerName) notes.push(`${service.name}: container_name "${service.containerName}" dropped (two colors cannot share a name)`);
  if (service.hostname) notes.push(`${service.name}: hostname "${service.hostname}" dropped (each color is reached as ${service.name}-blue / ${service.name}-green)`);
  return { name: `${service.name}-${color}`, definition: def, extended, notes };
}

/** The networks a rotating service joins, as the external networks of the shared project. */
export function colorNetworks(services: ServiceFacts[], project: ComposeProject, stack: string): Mapping {
  const networks: Mapping = {};
  for (const service of services) {
    const names = service.networks.length > 0 ? service.networks : ["default"];
    for (const name of names) networks[name] = { external: true, name: sharedNetworkName(name, project, stack) };
  }
  return networks;
}

export function sharedNetworkName(name: string, project: ComposeProject, stack: string): string {
  if (name === "default") return `${stack}_net`;
  const def = project.networks[name];
  if (isMapping(def) && typeof def.name === "string") return def.name;
  return `${stack}_${name}`;
}

export function colorVolumes(services: ServiceFacts[], project: ComposeProject, stack: string): Mapping {
  const volumes: Mapping = {};
  for (const name of services.flatMap((s) => s.namedVolumes)) {
    const def = project.volumes[name];
    volumes[name] = { external: true, name: isMapping(def) && typeof def.name === "string" ? def.name : `${stack}_${name}` };
  }
  return volumes;
}
