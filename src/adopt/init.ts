/** Runs `bluegreen init`: read the project, plan (pure), show, confirm, write each file atomically. */
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { ProxyDriverName } from "../config/types.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import type { ComposeProject } from "../platform/compose/index.js";
import { findComposeFiles, isMapping, readComposeProject } from "../platform/compose/index.js";
import { pathsToRead, planInit } from "./plan.js";
import type { NginxRouteChoice } from "./proxy/index.js";
import type { NginxRoutePreference } from "./nginx-route.js";
import type { InitOptions, InitPlan } from "./types.js";
import { GENERATED } from "./types.js";

export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR") return null;
    throw err;
  }
}

export async function loadProject(dir: string, files: string[]): Promise<ComposeProject> {
  // The generated files are never the user's project, even when compose's default lookup would find one.
  return readComposeProject(dir, await findComposeFiles(dir, files));
}

export async function buildPlan(dir: string, project: ComposeProject, options: InitOptions, nginxRoute?: NginxRouteChoice): Promise<InitPlan> {
  const existing: Record<string, string | null> = {};
  for (const path of pathsToRead(project, options)) existing[path] = await readIfExists(join(dir, path));
  return planInit({ project, options, existing, ...(nginxRoute ? { nginxRoute } : {}) });
}

export async function writePlan(dir: string, plan: InitPlan): Promise<string[]> {
  const written: string[] = [];
  for (const file of plan.files) {
    if (file.change === "unchanged") continue;
    await writeFileAtomic(join(dir, file.path), file.content, { createDir: true });
    written.push(file.path);
  }
  return written;
}

/** The choices of a previous init (its bluegreen.yml), so a re-run without flags changes nothing. */
export interface PreviousChoices {
  rotate?: string[];
  proxy?: ProxyDriverName;
  stack?: string;
  previewPort?: number;
  healthPath?: string;
  verifyPath?: string;
  /** Only a route mode the operator forced (--nginx-route reload) sticks; otherwise init looks again. */
  nginxRoute?: NginxRoutePreference;
}

/** Where init writes the nginx config (and doctor reads the route mode it was written with). */
export const NGINX_CONFIG_PATH = `${GENERATED.proxyDir}/nginx.conf`;

export async function previousChoices(dir: string): Promise<PreviousChoices> {
  const text = await readIfExists(join(dir, GENERATED.config));
  if (text === null) return {};
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return {};
  }
  if (!isMapping(doc)) return {};
  const proxy = isMapping(doc.proxy) ? doc.proxy : {};
  const driver = proxy.driver;
  const health = isMapping(doc.health) ? doc.health : {};
  const verify = isMapping(doc.verify) ? doc.verify : {};
  const preview = typeof proxy.preview === "string" ? Number(/:(\d+)\/?$/.exec(proxy.preview)?.[1]) : NaN;
  const forcedReload = driver === "nginx" && /^# Route mode: reload \(--nginx-route reload\)\.$/m.test((await readIfExists(join(dir, NGINX_CONFIG_PATH))) ?? "");
  return {
    ...(forcedReload ? { nginxRoute: "reload" as const } : {}),
    ...(Array.isArray(doc.services) ? { rotate: doc.services.map(String) } : {}),
    ...(driver === "nginx" || driver === "caddy" || driver === "haproxy" ? { proxy: driver } : {}),
    ...(typeof doc.stack === "string" ? { stack: doc.stack } : {}),
    ...(Number.isFinite(preview) ? { previewPort: preview } : {}),
    ...(typeof health.path === "string" ? { healthPath: health.path } : {}),
    ...(typeof verify.path === "string" ? { verifyPath: verify.path } : {}),
  };
}

/** A stack name from the directory name, as compose derives a project name. */
export function defaultStackName(dir: string): string {
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9_-]/g, "").replace(/^[-_]+/, "");
  return (name || "app").slice(0, 40);
}

export function renderPlan(plan: InitPlan, opts: { showDiffs: boolean }): string {
  const lines: string[] = [];
  const width = Math.max(24, ...plan.files.map((f) => f.path.length));
  for (const f of plan.files) lines.push(`  ${f.change === "create" ? "create   " : f.change === "update" ? "update   " : "unchanged"} ${f.path.padEnd(width)} ${f.why}`);
  if (opts.showDiffs) for (const f of plan.files) if (f.change === "update" && f.diff) lines.push("", f.diff.trimEnd());
  if (plan.proxyDiff && opts.showDiffs) lines.push("", "your proxy config → the one bluegreen runs:", plan.proxyDiff.trimEnd());
  if (plan.notes.length > 0) lines.push("", "what init did and how to use it:", ...plan.notes.map((n) => `  - ${n}`));
  if (plan.warnings.length > 0) lines.push("", "look at these:", ...plan.warnings.map((w) => `  ! ${w}`));
  return `${lines.join("\n")}\n`;
}
