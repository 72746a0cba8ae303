/**
 * bluegreen.yml text → Config. Pure: no file system access (file existence is checked by load.ts).
 * Every problem found is collected, located (file:line:col + key path) and thrown as one ConfigError.
 */
import { dirname, resolve } from "node:path";
import { isPair, isScalar, isSeq, visit } from "yaml";
import type * as z from "zod";
import { ConfigError, type ConfigIssue } from "./errors.js";
import { formatDuration, parseShellDuration } from "./duration.js";
import { interpolate } from "./interpolate.js";
import { ALLOWED_KEYS, checkEnvNames, DEFAULTS, fileConfigSchema, REQUIRED_EXAMPLES, type FileConfig } from "./schema.js";
import { describeValue, formatPath, YamlSource, type KeyPath } from "./source.js";
import { didYouMean } from "./suggest.js";
import type { Config, PlatformConfig } from "./types.js";

export { RESERVED_ENV } from "./schema.js";

/** Environment overrides of durations (they win over the file). */
export const DURATION_OVERRIDES = [
  { variable: "HEALTH_CHECK_TIMEOUT", path: ["health", "timeout"] },
  { variable: "HEALTH_CHECK_INTERVAL", path: ["health", "interval"] },
  { variable: "DRAIN_TIMEOUT", path: ["drain", "timeout"] },
] as const;

const MAX_ALIASES = 100;

export interface ParsedConfig {
  config: Config;
  source: YamlSource;
}

/**
 * Parses and validates bluegreen.yml text. `file` is where the text came from: relative paths in it
 * resolve from its directory, and messages name it as given.
 */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv): Config {
  return parseConfigWithSource(text, file, env).config;
}

/**
 * Like parseConfig, and also returns the parsed YAML so later checks can point at lines.
 * `displayName` is how messages name the file (default: `file` as given).
 */
export function parseConfigWithSource(text: string, file: string, env: NodeJS.ProcessEnv, displayName = file): ParsedConfig {
  const source = new YamlSource(text);
  const issues = new IssueList(displayName, source);

  for (const error of source.doc.errors) {
    const offset = error.pos[0];
    const { line, col } = source.position(offset);
    issues.add({ file: issues.file, line, col, path: "", message: `YAML syntax: ${error.message.split("\n")[0]}` });
  }
  if (issues.any()) throw issues.error();

  const contents = source.doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    issues.at([], `is empty; write at least ${Object.values(REQUIRED_EXAMPLES).slice(0, 3).join(", ")}`);
    throw issues.error();
  }

  const unresolved = interpolateScalars(source, env, issues);

  let data: unknown;
  try {
    data = source.doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    issues.at([], `could not be read: ${(err as Error).message}`);
    throw issues.error();
  }

  const envSection = (data as { env?: unknown } | null)?.env;
  if (envSection !== null && typeof envSection === "object" && !Array.isArray(envSection)) {
    for (const { name, problem } of checkEnvNames(Object.keys(envSection))) {
      issues.at(["env", name], problem, source.keyPosition(["env", name]) ?? undefined);
    }
  }

  const parsed = fileConfigSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    for (const zodIssue of parsed.error.issues) {
      // A value whose ${VAR} could not be resolved was already reported; its leftovers are noise.
      if (!unresolved.has(formatPath(zodIssue.path.filter(isKey)))) reportSchemaIssue(zodIssue, source, issues);
    }
  }
  if (!parsed.success || issues.any()) throw issues.error();

  const config = buildConfig(parsed.data, file, env, issues);
  if (issues.any()) throw issues.error();
  return { config, source };
}

class IssueList {
  private readonly issues: ConfigIssue[] = [];

  constructor(
    readonly file: string,
    readonly source: YamlSource,
  ) {}

  add(issue: ConfigIssue): void {
    this.issues.push(issue);
  }

  /** A problem with the value at `path`, located in the file. */
  at(path: KeyPath, message: string, position = this.source.locate(path)): void {
    this.add({ file: this.file, line: position.line, col: position.col, path: formatPath(path), message });
  }

  /** A problem with an environment variable (no line: it is not in the file). */
  env(variable: string, message: string): void {
    this.add({ file: "environment", line: null, col: null, path: variable, message });
  }

  any(): boolean {
    return this.issues.length > 0;
  }

  error(): ConfigError {
    const byPlace = [...this.issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0));
    return new ConfigError(byPlace);
  }
}

/**
 * Replaces ${VAR} forms in every string value (never in keys) before validation.
 * Returns the key paths whose value could not be resolved.
 */
function interpolateScalars(source: YamlSource, env: NodeJS.ProcessEnv, issues: IssueList): Set<string> {
  const unresolved = new Set<string>();
  visit(source.doc, {
    Scalar(key, node, ancestors) {
      if (key === "key" || typeof node.value !== "string" || !node.value.includes("${")) return;
      const result = interpolate(node.value, env);
      if (result.ok) {
        node.value = result.value;
      } else {
        const path = keyPathOf(ancestors, node);
        unresolved.add(formatPath(path));
        issues.at(path, `${JSON.stringify(node.value)} ${result.reason}`);
      }
    },
  });
  return unresolved;
}

function isKey(segment: PropertyKey): segment is string | number {
  return typeof segment !== "symbol";
}

/** The key path of a node from the ancestors the yaml visitor passes (Document, maps, pairs, lists). */
function keyPathOf(ancestors: readonly unknown[], node: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  ancestors.forEach((ancestor, index) => {
    if (isPair(ancestor) && isScalar(ancestor.key)) path.push(String(ancestor.key.value));
    if (isSeq(ancestor)) path.push(ancestor.items.indexOf((ancestors[index + 1] ?? node) as never));
  });
  return path;
}

function reportSchemaIssue(issue: z.core.$ZodIssue, source: YamlSource, issues: IssueList): void {
  const path = issue.path.filter(isKey);
  const found = source.nodeAt(path) === null ? "nothing" : source.describe(path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = ALLOWED_KEYS[formatPath(path)] ?? [];
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        const position = source.keyPosition(keyPath) ?? source.locate(path);
        issues.at(keyPath, `unknown key${didYouMean(key, allowed)}; allowed here: ${allowed.join(", ")}`, position);
      }
      return;
    }
    case "invalid_type": {
      if (source.nodeAt(path) === null) {
        const example = REQUIRED_EXAMPLES[formatPath(path)];
        issues.at(path, `is required but missing${example ? ` (e.g. ${example})` : ""}`);
      } else {
        issues.at(path, `expected ${describeExpected(issue.expected)}, found ${found}`);
      }
      return;
    }
    case "invalid_value": {
      const allowed = issue.values.map(String);
      const input = typeof issue.input === "string" ? issue.input : String(issue.input);
      issues.at(path, `${found} is not one of ${allowed.join(", ")}${didYouMean(input, allowed)}`);
      return;
    }
    case "too_small":
      issues.at(path, issue.origin === "array" ? "is an empty list; name at least one" : `${found} must not be empty`);
      return;
    case "custom":
      // Our own checks word their message starting from the value found.
      issues.at(path, issue.message);
      return;
    default:
      issues.at(path, `${found}: ${issue.message}`);
  }
}

function describeExpected(expected: string): string {
  switch (expected) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "int":
      return "a whole number";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "a mapping";
    default:
      return expected;
  }
}

function buildConfig(raw: FileConfig, file: string, env: NodeJS.ProcessEnv, issues: IssueList): Config {
  const absoluteFile = resolve(file);
  const root = dirname(absoluteFile);
  const fromRoot = (path: string): string => resolve(root, path);

  if (new URL(raw.proxy.live).href === new URL(raw.proxy.preview).href) {
    issues.at(["proxy", "preview"], `${describeValue(raw.proxy.preview)} is the same as proxy.live; the preview route must reach the standby color on its own port or path`);
  }

  const compose = {
    shared: fromRoot(raw.compose?.shared ?? DEFAULTS.compose.shared),
    blue: fromRoot(raw.compose?.blue ?? DEFAULTS.compose.blue),
    green: fromRoot(raw.compose?.green ?? DEFAULTS.compose.green),
  };
  if (new Set(Object.values(compose)).size !== 3) {
    issues.at(["compose"], "shared, blue and green must be three different files");
  }

  const health = {
    timeoutMs: raw.health?.timeout ?? DEFAULTS.health.timeoutMs,
    intervalMs: raw.health?.interval ?? DEFAULTS.health.intervalMs,
    path: raw.health?.path ?? null,
  };
  const drain = { timeoutMs: raw.drain?.timeout ?? DEFAULTS.drain.timeoutMs };
  applyDurationOverrides(env, { health, drain }, issues);
  const verify = {
    durationMs: raw.verify?.duration ?? DEFAULTS.verify.durationMs,
    intervalMs: raw.verify?.interval ?? DEFAULTS.verify.intervalMs,
    path: raw.verify?.path ?? health.path ?? DEFAULTS.verify.path,
    method: raw.verify?.method ?? DEFAULTS.verify.method,
    urls: raw.verify?.urls ?? DEFAULTS.verify.urls,
  };
  const stop = { timeoutMs: raw.stop?.timeout ?? null };
  if (stop.timeoutMs !== null && stop.timeoutMs < 1000) issues.at(["stop", "timeout"], `is ${formatDuration(stop.timeoutMs)}; give the old color at least 1s to stop on SIGTERM`);
  checkPeriod(["health", "timeout"], health.timeoutMs, ["health", "interval"], health.intervalMs, issues);
  // verify.duration 0 turns the post-switch verification off (the engine then skips that phase).
  checkPeriod(["verify", "duration"], verify.durationMs, ["verify", "interval"], verify.intervalMs, issues, { allowZero: true });

  const runDir = fromRoot(raw.proxy.runDir ?? DEFAULTS.proxy.runDir);
  const release = buildReleaseSteps(raw, fromRoot, issues);
  const fileEnv = raw.env ?? {};

  return {
    file: absoluteFile,
    root,
    stack: raw.stack,
    compose,
    services: raw.services,
    env: { ...fileEnv, BG_STACK: raw.stack, BG_RUN_DIR: runDir },
    proxy: {
      driver: raw.proxy.driver ?? DEFAULTS.proxy.driver,
      service: raw.proxy.service ?? DEFAULTS.proxy.service,
      runDir,
      upstream: raw.proxy.upstream,
      liveUrl: raw.proxy.live,
      previewUrl: raw.proxy.preview,
      ...(raw.proxy.socketGroup === undefined || raw.proxy.socketGroup === null ? {} : { socketGroup: String(raw.proxy.socketGroup) }),
    },
    health,
    drain,
    smoke: {
      spec: raw.smoke?.spec ? fromRoot(raw.smoke.spec) : null,
      expectVersionHeader: raw.smoke?.expectVersionHeader ?? null,
    },
    verify,
    stop,
    versionVariable: raw.versionVariable ?? DEFAULTS.versionVariable,
    keepOldWarm: raw.keepOldWarm ?? DEFAULTS.keepOldWarm,
    stateDir: fromRoot(raw.stateDir ?? DEFAULTS.stateDir),
    ...release,
    docker: { host: raw.docker?.host ?? null },
    platform: buildPlatform(raw, fromRoot, issues),
  };
}

/** platform and swarm: swarm needs its section (and, for now, the HAProxy driver); compose takes none. */
function buildPlatform(raw: FileConfig, fromRoot: (path: string) => string, issues: IssueList): PlatformConfig {
  const kind = raw.platform ?? "compose";
  if (kind === "compose") {
    if (raw.swarm) issues.at(["swarm"], "is set but platform is compose (the default); add `platform: swarm`, or remove the swarm section");
    return { kind };
  }
  if (!raw.swarm) {
    issues.at(["platform"], "is swarm, which needs a swarm section naming a manager's Docker endpoint, e.g. swarm: { manager: unix:///var/run/docker.sock }");
    return { kind: "compose" };
  }
  const driver = raw.proxy.driver ?? DEFAULTS.proxy.driver;
  if (driver !== "haproxy") {
    issues.at(["proxy", "driver"], `is ${driver}; on platform swarm only the haproxy driver can switch every proxy replica (through each node's Docker API) so far: use proxy.driver: haproxy`);
  }
  return { kind, manager: raw.swarm.manager, nodes: raw.swarm.nodes ?? {}, nodeEndpoint: raw.swarm.nodeEndpoint ?? null, sshConfig: raw.swarm.sshConfig ? fromRoot(raw.swarm.sshConfig) : null };
}

/** hooks and migrate: defaults, and the checks across keys (the migrate service must rotate). */
function buildReleaseSteps(raw: FileConfig, fromRoot: (path: string) => string, issues: IssueList): Pick<Config, "hooks" | "migrate"> {
  const hooks = { dir: fromRoot(raw.hooks?.dir ?? DEFAULTS.hooks.dir), timeoutMs: raw.hooks?.timeout ?? DEFAULTS.hooks.timeoutMs };
  if (hooks.timeoutMs <= 0) issues.at(["hooks", "timeout"], `is ${formatDuration(hooks.timeoutMs)}; it must be more than 0`);
  const m = raw.migrate;
  if (!m) return { hooks, migrate: null };
  if (!raw.services.includes(m.service)) {
    issues.at(["migrate", "service"], `${describeValue(m.service)} is not one of services (${raw.services.join(", ")}); the migration runs in the new color's image of a rotating service`);
  }
  const timeoutMs = m.timeout ?? DEFAULTS.migrate.timeoutMs;
  if (timeoutMs <= 0) issues.at(["migrate", "timeout"], `is ${formatDuration(timeoutMs)}; it must be more than 0`);
  return { hooks, migrate: { service: m.service, command: m.command, contract: m.contract ?? null, timeoutMs } };
}

function applyDurationOverrides(
  env: NodeJS.ProcessEnv,
  target: { health: { timeoutMs: number; intervalMs: number }; drain: { timeoutMs: number } },
  issues: IssueList,
): void {
  for (const { variable, path } of DURATION_OVERRIDES) {
    const value = env[variable];
    if (value === undefined || value === "") continue;
    const parsed = parseShellDuration(value);
    if (!parsed.ok) {
      issues.env(variable, `${describeValue(value)} ${parsed.reason}; it overrides ${formatPath(path)}`);
      continue;
    }
    if (path[0] === "health") target.health[path[1] === "timeout" ? "timeoutMs" : "intervalMs"] = parsed.ms;
    else target.drain.timeoutMs = parsed.ms;
  }
}

function checkPeriod(totalPath: KeyPath, totalMs: number, stepPath: KeyPath, stepMs: number, issues: IssueList, opts: { allowZero?: boolean } = {}): void {
  if (totalMs < 0 || (totalMs === 0 && !opts.allowZero)) issues.at(totalPath, `is ${formatDuration(totalMs)}; it must be ${opts.allowZero ? "0 (off) or more" : "more than 0"}`);
  if (stepMs <= 0) issues.at(stepPath, `is ${formatDuration(stepMs)}; it must be more than 0`);
  else if (stepMs > totalMs && totalMs > 0) {
    issues.at(stepPath, `${formatDuration(stepMs)} is longer than ${formatPath(totalPath)} ${formatDuration(totalMs)}; make it shorter`);
  }
}
