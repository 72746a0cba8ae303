/**
 * A slot's compose files as compose itself resolves them (`config`: interpolated with the release's
 * env, merged), for what the CLI's stack deploy does not tell: the facts the engine asks for
 * (parseServiceFacts, shared with the compose platform), the images to place on every node, and what
 * a one-off job of a service needs (image, env, networks).
 */
import { execFile } from "node:child_process";
import { parse } from "yaml";
import { composeArgs, displayCommand } from "../../docker/compose-args.js";
import type { ComposeRunner, ComposeTarget } from "../../docker/types.js";
import { isMapping } from "../compose/parse.js";

export interface ServiceDefinition {
  name: string;
  image: string | null;
  /** The service has a build: section (compose builds its image). */
  build: boolean;
  /** "KEY=value" entries, as a container spec takes them. */
  env: string[];
  entrypoint: string[] | null;
  user: string | null;
  workingDir: string | null;
  labels: Record<string, string>;
  /** The swarm names of the networks it joins (external ones by their name, the stack's as `<namespace>_<key>`). */
  networks: string[];
}

function strings(value: unknown): string[] | null {
  if (typeof value === "string") return value.trim().split(/\s+/).filter(Boolean);
  return Array.isArray(value) ? value.map(String) : null;
}

function keyValues(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isMapping(value)) for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = String(v);
  if (Array.isArray(value))
    for (const entry of value.map(String)) {
      const at = entry.indexOf("=");
      if (at > 0) out[entry.slice(0, at)] = entry.slice(at + 1);
    }
  return out;
}

/** Pure: the swarm name of a compose network key of stack `namespace`. */
export function networkName(key: string, top: unknown, namespace: string): string {
  const def = isMapping(top) ? top : {};
  if (typeof def.name === "string") return def.name;
  if (isMapping(def.external) && typeof def.external.name === "string") return def.external.name;
  return def.external === true ? key : `${namespace}_${key}`;
}

/** Pure: every service of a `compose config` output, for stack `namespace`. */
export function serviceDefinitions(configYaml: string, namespace: string): Record<string, ServiceDefinition> {
  const doc: unknown = parse(configYaml);
  const root = isMapping(doc) ? doc : {};
  const services = isMapping(root.services) ? root.services : {};
  const networks = isMapping(root.networks) ? root.networks : {};
  const out: Record<string, ServiceDefinition> = {};
  for (const [name, raw] of Object.entries(services)) {
    const s = isMapping(raw) ? raw : {};
    const keys = Array.isArray(s.networks) ? s.networks.map(String) : isMapping(s.networks) ? Object.keys(s.networks) : ["default"];
    out[name] = {
      name,
      image: typeof s.image === "string" ? s.image : null,
      build: s.build !== undefined,
      env: Object.entries(keyValues(s.environment)).map(([k, v]) => `${k}=${v}`),
      entrypoint: strings(s.entrypoint),
      user: typeof s.user === "string" ? s.user : null,
      workingDir: typeof s.working_dir === "string" ? s.working_dir : null,
      labels: keyValues(s.labels),
      networks: keys.map((key) => networkName(key, networks[key], namespace)),
    };
  }
  return out;
}

/** `compose config` of a target (v2 or v1, whichever the runner found), as text. */
export async function composeConfig(compose: Pick<ComposeRunner, "variant">, target: ComposeTarget, bins: { v2: string; v1: string }): Promise<string> {
  const variant = await compose.variant();
  const command = composeArgs(variant, target, { verb: "config" });
  const cmd = variant === "v2" ? bins.v2 : bins.v1;
  return new Promise<string>((resolve, reject) => {
    execFile(cmd, command.args, { cwd: target.cwd, env: { ...process.env, ...target.env }, maxBuffer: 8 * 1024 * 1024, timeout: 60_000 }, (err, out, errOut) => {
      if (err) {
        const why = (errOut || err.message).trim().split("\n").slice(-3).join(" ");
        reject(new Error(`\`${displayCommand({ cmd, args: command.args })}\` could not read the files: ${why}. Nothing was changed. What to do: fix the compose files (run that command to see), then retry.`));
      } else resolve(out);
    });
  });
}
