/**
 * Compose YAML text → ComposeProject facts. Pure: no file system, no Docker. Several -f files are
 * merged the way compose merges them (mappings key by key, `ports`/`expose`/`volumes` appended,
 * other values replaced by the later file), enough for the facts bluegreen reads.
 */
import { parseDocument } from "yaml";
import type { BuildFact, ComposeProject, HealthcheckFact, PortFact, ServiceFacts } from "./types.js";
import { ComposeReadError } from "./types.js";

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses one compose file's text into plain data; YAML errors name the line. */
export function parseComposeText(text: string, file: string): Mapping {
  const doc = parseDocument(text, { uniqueKeys: true, merge: true });
  const first = doc.errors[0];
  if (first) throw new ComposeReadError(file, `YAML syntax: ${first.message.split("\n")[0]}`);
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (data === null || data === undefined) throw new ComposeReadError(file, "is empty; a compose file needs a services: mapping");
  if (!isMapping(data)) throw new ComposeReadError(file, "is not a mapping; a compose file starts with services:");
  if (!isMapping(data.services)) throw new ComposeReadError(file, "has no services: mapping");
  return data;
}

const APPENDED = new Set(["ports", "expose", "volumes", "env_file", "dns", "extra_hosts"]);

/** Merges compose documents in -f order (later files override earlier ones). */
export function mergeComposeDocuments(docs: Mapping[]): Mapping {
  const merged: Mapping = {};
  for (const doc of docs) mergeInto(merged, doc, 0);
  return merged;
}

function mergeInto(target: Mapping, source: Mapping, depth: number): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    // depth 2 is a service's own keys (services → name → key).
    if (depth === 2 && APPENDED.has(key) && Array.isArray(existing) && Array.isArray(value)) target[key] = [...existing, ...value];
    else if (isMapping(existing) && isMapping(value)) mergeInto(existing, value, depth + 1);
    else target[key] = structuredClone(value);
  }
}

export function projectFromDocument(doc: Mapping, files: string[]): ComposeProject {
  const services = isMapping(doc.services) ? doc.services : {};
  return {
    files,
    version: doc.version === undefined ? null : String(doc.version),
    services: Object.entries(services).map(([name, raw]) => serviceFacts(name, isMapping(raw) ? raw : {})),
    networks: isMapping(doc.networks) ? doc.networks : {},
    volumes: isMapping(doc.volumes) ? doc.volumes : {},
  };
}

/** Parses and merges the texts of a project's -f files. */
export function parseComposeProject(sources: { file: string; text: string }[]): ComposeProject {
  const docs = sources.map((s) => parseComposeText(s.text, s.file));
  return projectFromDocument(mergeComposeDocuments(docs), sources.map((s) => s.file));
}

export function serviceFacts(name: string, raw: Mapping): ServiceFacts {
  return {
    name,
    image: typeof raw.image === "string" ? raw.image : null,
    build: buildFact(raw.build),
    ports: list(raw.ports).flatMap((p) => parsePort(p)),
    expose: list(raw.expose).flatMap((e) => {
      const n = Number.parseInt(String(e).split("/")[0] ?? "", 10);
      return Number.isFinite(n) ? [n] : [];
    }),
    healthcheck: healthcheckFact(raw.healthcheck),
    stopGracePeriod: raw.stop_grace_period === undefined ? null : String(raw.stop_grace_period),
    containerName: typeof raw.container_name === "string" ? raw.container_name : null,
    hostname: typeof raw.hostname === "string" ? raw.hostname : null,
    init: typeof raw.init === "boolean" ? raw.init : null,
    dependsOn: Array.isArray(raw.depends_on) ? raw.depends_on.map(String) : isMapping(raw.depends_on) ? Object.keys(raw.depends_on) : [],
    networks: Array.isArray(raw.networks) ? raw.networks.map(String) : isMapping(raw.networks) ? Object.keys(raw.networks) : [],
    namedVolumes: list(raw.volumes).flatMap((v) => namedVolume(v)),
    envFile: typeof raw.env_file === "string" ? [raw.env_file] : list(raw.env_file).map(String),
    command: typeof raw.command === "string" ? raw.command : Array.isArray(raw.command) ? raw.command.map(String) : null,
    raw,
  };
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function buildFact(value: unknown): BuildFact | null {
  if (typeof value === "string") return { context: value, dockerfile: null, args: {} };
  if (!isMapping(value)) return null;
  const args: Record<string, string> = {};
  if (isMapping(value.args)) for (const [k, v] of Object.entries(value.args)) args[k] = v === null ? "" : String(v);
  else if (Array.isArray(value.args))
    for (const entry of value.args) {
      const [k, ...rest] = String(entry).split("=");
      if (k) args[k] = rest.join("=");
    }
  return { context: typeof value.context === "string" ? value.context : ".", dockerfile: typeof value.dockerfile === "string" ? value.dockerfile : null, args };
}

function healthcheckFact(value: unknown): HealthcheckFact | null {
  if (!isMapping(value)) return null;
  const test = value.test;
  const testValue = typeof test === "string" ? test : Array.isArray(test) ? test.map(String) : null;
  const disabled = value.disable === true || (Array.isArray(testValue) && testValue[0] === "NONE");
  return { disabled, test: testValue };
}

/** Short syntax ("8080", "80:80", "127.0.0.1:80:80/tcp", "3000-3001:3000-3001") or long syntax. */
export function parsePort(value: unknown): PortFact[] {
  if (isMapping(value)) {
    const target = Number(value.target);
    if (!Number.isFinite(target)) return [];
    return [
      {
        hostIp: typeof value.host_ip === "string" ? value.host_ip : null,
        published: value.published === undefined ? null : String(value.published),
        target,
        protocol: value.protocol === "udp" ? "udp" : "tcp",
      },
    ];
  }
  if (typeof value !== "string" && typeof value !== "number") return [];
  // `${HTTP_PORT:-80}:80`: the ":" inside an interpolation is not a separator.
  const vars: string[] = [];
  const masked = String(value).replace(/\$\{[^}]*\}/g, (m) => `@@bgvar${vars.push(m) - 1}@@`);
  const unmask = (s: string) => s.replace(/@@bgvar(\d+)@@/g, (_, i: string) => vars[Number(i)] ?? "");
  const [spec, proto] = masked.split("/");
  const parts = (spec ?? "").split(":").map(unmask);
  const containerPart = parts.pop() ?? "";
  const target = Number.parseInt(containerPart, 10);
  if (!Number.isFinite(target)) return [];
  const published = parts.length > 0 ? (parts.pop() ?? null) : null;
  const hostIp = parts.length > 0 ? parts.join(":").replace(/^\[|\]$/g, "") : null;
  return [{ hostIp, published: published === "" ? null : published, target, protocol: proto === "udp" ? "udp" : "tcp" }];
}

function namedVolume(value: unknown): string[] {
  if (isMapping(value)) return value.type === "volume" && typeof value.source === "string" ? [value.source] : [];
  if (typeof value !== "string") return [];
  const source = value.split(":")[0] ?? "";
  if (!value.includes(":") || source === "" || /^[./~$]/.test(source) || source.includes("/")) return [];
  return [source];
}

/** The container port a service serves HTTP on: a published port's target, else the first `expose`. */
export function servicePort(service: ServiceFacts): number | null {
  return service.ports.find((p) => p.protocol === "tcp")?.target ?? service.expose[0] ?? null;
}
