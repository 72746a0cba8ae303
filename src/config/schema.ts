/**
 * The shape of bluegreen.yml as written (after ${VAR} interpolation). Every object is strict so a
 * misspelt key is an error rather than a silently ignored setting. Checks of a single value live
 * here (they run even when other keys are wrong, so one pass reports them all); checks across keys
 * live in parse.ts. Durations stay optional here: defaults and environment overrides are applied
 * when the Config is built.
 */
import * as z from "zod";
import { parseDuration } from "./duration.js";
import { refusedEnvReason } from "./env-denylist.js";
import { describeValue } from "./source.js";

export const PROXY_DRIVERS = ["nginx", "caddy", "haproxy"] as const;

const STACK_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const MAX_STACK_LENGTH = 40;
const SERVICE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const COMPOSE_SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOST_PORT = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}$/;

/** Environment variables set by bluegreen itself in Config.env; the file may not set them. */
export const RESERVED_ENV: Readonly<Record<string, string>> = { BG_STACK: "stack", BG_RUN_DIR: "proxy.runDir" };

type Check<T> = (value: T) => string | null;

/** A value schema with a check whose message starts with the value found. */
function checked<T extends z.ZodType>(schema: T, check: Check<z.output<T>>): T {
  return schema.superRefine((value, ctx) => {
    const problem = check(value);
    if (problem !== null) ctx.addIssue({ code: "custom", message: `${describeValue(value)} ${problem}` });
  }) as unknown as T;
}

/** A duration field: "30s" / "500ms" / "2m" / integer ms → milliseconds; absent → undefined. */
const duration = z.unknown().optional().transform((value, ctx): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = parseDuration(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: `${describeValue(value)} ${parsed.reason}` });
    return z.NEVER;
  }
  return parsed.ms;
});

/** An env value: strings as they are, numbers and booleans as compose would print them. */
const envValue = z.unknown().transform((value, ctx): string => {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  ctx.addIssue({
    code: "custom",
    message: value === null ? 'has no value; write "" for an empty string' : `${describeValue(value)} must be a string, a number or true/false`,
  });
  return z.NEVER;
});

const stackName = checked(z.string().min(1), (name) =>
  STACK_NAME.test(name) && name.length <= MAX_STACK_LENGTH
    ? null
    : `is not a valid stack name: use up to ${MAX_STACK_LENGTH} lowercase letters, digits, "-" and "_", starting with a letter or digit (it prefixes the compose project names)`,
);

const serviceName = checked(z.string().min(1), (name) =>
  SERVICE_NAME.test(name) ? null : 'is not a valid service name: use lowercase letters, digits, "-" and "_" (the compose service is <name>-blue / <name>-green)',
);

const composeServiceName = checked(z.string().min(1), (name) =>
  COMPOSE_SERVICE_NAME.test(name) ? null : 'is not a valid compose service name; use letters, digits, ".", "-" and "_"',
);

const upstream = checked(z.string().min(1), (template) => {
  const unknown = (template.match(/\{[^}]*\}/g) ?? []).filter((placeholder) => placeholder !== "{color}");
  if (!template.includes("{color}")) return 'has no {color} placeholder; write the upstream of one color as a template, e.g. "app-{color}:3000"';
  if (unknown.length > 0) return `uses ${unknown.join(", ")}; the only placeholder is {color}`;
  if (!HOST_PORT.test(template.replaceAll("{color}", "blue"))) return 'is not host:port; write e.g. "app-{color}:3000" (the proxy dials it on the compose network)';
  return null;
});

const httpUrl = checked(z.string().min(1), (value) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL; write e.g. http://127.0.0.1:8080";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `uses ${url.protocol.replace(":", "")}; only http and https are allowed`;
  if (url.username !== "" || url.password !== "") return "carries credentials; remove them (they would show up in logs and reports)";
  return null;
});

/** A request path through the proxy: "/healthz", "/api/ping?x=1". */
const httpPath = checked(z.string().min(1), (path) =>
  path.startsWith("/") && !/\s/.test(path) ? null : 'is not a request path; write one starting with "/", e.g. /healthz',
);

export const VERIFY_METHODS = ["GET", "HEAD"] as const;

const versionVariable = checked(z.string().min(1), (name) => {
  if (!ENV_NAME.test(name)) return "is not a valid environment variable name; use letters, digits and _, not starting with a digit";
  if (RESERVED_ENV[name] !== undefined) return `is set by bluegreen itself (from ${RESERVED_ENV[name]}); choose another name, e.g. BLUEGREEN_VERSION`;
  return null;
});

const services = z
  .array(serviceName)
  .min(1)
  .superRefine((names, ctx) => {
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) ctx.addIssue({ code: "custom", path: [index], message: `${describeValue(name)} is listed twice; list each service once` });
    });
  });

/** Keys are checked by checkEnvNames (parse.ts) so they are reported even when a value is wrong. */
const env = z.record(z.string(), envValue);

/** Problems with the names in `env`, by name. */
export function checkEnvNames(names: readonly string[]): { name: string; problem: string }[] {
  return names.flatMap((name) => {
    const reservedFor = RESERVED_ENV[name];
    if (!ENV_NAME.test(name)) return [{ name, problem: "is not a valid environment variable name; use letters, digits and _, not starting with a digit" }];
    if (reservedFor !== undefined) return [{ name, problem: `is set by bluegreen itself (from ${reservedFor}); remove it from env` }];
    const refused = refusedEnvReason(name);
    if (refused !== null) return [{ name, problem: refused }];
    return [];
  });
}

const composeShape = {
  shared: z.string().min(1).optional(),
  blue: z.string().min(1).optional(),
  green: z.string().min(1).optional(),
};

const proxyShape = {
  driver: z.enum(PROXY_DRIVERS).optional(),
  service: composeServiceName.optional(),
  runDir: z.string().min(1).optional(),
  upstream,
  live: httpUrl,
  preview: httpUrl,
  socketGroup: checked(z.union([z.string().min(1), z.number().int().nonnegative()]), (group) =>
    typeof group === "number" || /^[A-Za-z_][A-Za-z0-9_.-]*$|^\d+$/.test(group) ? null : "is not a group name or number",
  )
    .nullable()
    .optional(),
};

const healthShape = { timeout: duration, interval: duration, path: httpPath.optional() };
const drainShape = { timeout: duration };
const smokeShape = { spec: z.string().min(1).nullable().optional(), expectVersionHeader: z.string().min(1).nullable().optional() };
const verifyShape = { duration, interval: duration, path: httpPath.optional(), method: z.enum(VERIFY_METHODS).optional(), urls: z.array(httpUrl).optional() };
const stopShape = { timeout: duration };

/** An argv list (no shell): at least the program, each argument a non-empty string. */
const argv = z.array(z.string().min(1)).min(1);

// Operator hooks (docs/hooks.md): the directory (relative to this file) and how long one may run.
const hooksShape = { dir: z.string().min(1).optional(), timeout: duration.optional() };
// The migration: a one-off container of the new release's `service` running `command` (expand,
// before the new color starts) and, opt-in, `contract` (after the old color was stopped).
const migrateShape = { service: serviceName, command: argv, contract: argv.optional(), timeout: duration.optional() };

/** The Docker endpoint, as DOCKER_HOST would name it; the config's env may not set DOCKER_HOST. */
const dockerHost = checked(z.string().min(1), (host) =>
  /^unix:\/\/\/.+/.test(host) || /^tcp:\/\/[^\s/:]+:\d{1,5}\/?$/.test(host)
    ? null
    : "is not a Docker endpoint; write unix:///var/run/docker.sock or tcp://HOST:PORT",
);
const dockerShape = { host: dockerHost.nullable().optional() };

export const PLATFORMS = ["compose", "swarm"] as const;
/** A swarm node's Docker API: what the Engine API client speaks (unix, plain tcp, ssh through a forward). */
const nodeEndpoint = checked(z.string().min(1), (host) =>
  /^unix:\/\/\/.+/.test(host) || /^tcp:\/\/[^\s/:]+:\d{1,5}\/?$/.test(host) || /^ssh:\/\/([^\s/:@]+@)?[^\s/:@]+(:\d{1,5})?\/?$/.test(host)
    ? null
    : "is not a Docker endpoint; write unix:///var/run/docker.sock, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]",
);
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// Docker Swarm (platform: swarm): a manager's endpoint for stack deploy and the swarm API, and how
// to reach each node's own API (by its hostname in `docker node ls`), or a template for the rest.
const swarmShape = {
  manager: nodeEndpoint,
  nodes: z.record(checked(z.string(), (name) => (NODE_NAME.test(name) ? null : "is not a node hostname")), nodeEndpoint).optional(),
  nodeEndpoint: checked(z.string().min(1), (t) => (/^(unix:\/\/\/|tcp:\/\/|ssh:\/\/).*\{(addr|hostname)\}/.test(t) ? null : 'is not an endpoint template; write e.g. "tcp://{addr}:2375" or "ssh://root@{hostname}" ({addr}: the node\'s address in docker node ls, {hostname}: its hostname)')).optional(),
  // ssh_config for ssh:// endpoints (ssh -F), relative to this file; unset: ssh's own.
  sshConfig: z.string().min(1).optional(),
};

const rootShape = {
  stack: stackName,
  compose: z.strictObject(composeShape).optional(),
  services,
  env: env.optional(),
  proxy: z.strictObject(proxyShape),
  health: z.strictObject(healthShape).optional(),
  drain: z.strictObject(drainShape).optional(),
  smoke: z.strictObject(smokeShape).optional(),
  verify: z.strictObject(verifyShape).optional(),
  stop: z.strictObject(stopShape).optional(),
  versionVariable: versionVariable.optional(),
  keepOldWarm: z.boolean().optional(),
  stateDir: z.string().min(1).optional(),
  hooks: z.strictObject(hooksShape).optional(),
  migrate: z.strictObject(migrateShape).optional(),
  docker: z.strictObject(dockerShape).optional(),
  platform: z.enum(PLATFORMS).optional(),
  swarm: z.strictObject(swarmShape).optional(),
};

export const fileConfigSchema = z.strictObject(rootShape);
export type FileConfig = z.output<typeof fileConfigSchema>;

/** Keys allowed in each mapping, by dotted path, for "unknown key" messages and suggestions. */
export const ALLOWED_KEYS: Readonly<Record<string, readonly string[]>> = {
  "": Object.keys(rootShape),
  compose: Object.keys(composeShape),
  proxy: Object.keys(proxyShape),
  health: Object.keys(healthShape),
  drain: Object.keys(drainShape),
  smoke: Object.keys(smokeShape),
  verify: Object.keys(verifyShape),
  hooks: Object.keys(hooksShape),
  migrate: Object.keys(migrateShape),
  stop: Object.keys(stopShape),
  docker: Object.keys(dockerShape),
  swarm: Object.keys(swarmShape),
};

/** Examples shown when a required key is missing. */
export const REQUIRED_EXAMPLES: Readonly<Record<string, string>> = {
  stack: "stack: my-app",
  services: "services: [app]",
  proxy: 'proxy: { upstream: "app-{color}:3000", live: http://127.0.0.1:8080, preview: http://127.0.0.1:8081 }',
  "proxy.upstream": 'upstream: "app-{color}:3000"',
  "proxy.live": "live: http://127.0.0.1:8080",
  "proxy.preview": "preview: http://127.0.0.1:8081",
  "migrate.service": "service: app",
  "migrate.command": 'command: ["node", "migrate.js"]',
};

export const DEFAULTS = {
  compose: { shared: "compose.yml", blue: "compose.blue.yml", green: "compose.green.yml" },
  proxy: { driver: "nginx", service: "proxy", runDir: ".bluegreen/run" },
  health: { timeoutMs: 180_000, intervalMs: 1_000 },
  drain: { timeoutMs: 30_000 },
  verify: { durationMs: 5_000, intervalMs: 50, path: "/", method: "GET", urls: [] as string[] },
  /** Docker's own default stop timeout, used when neither stop.timeout nor stop_grace_period says otherwise. */
  stop: { timeoutMs: 10_000 },
  versionVariable: "BLUEGREEN_VERSION",
  keepOldWarm: true,
  stateDir: ".bluegreen",
  hooks: { dir: ".bluegreen/hooks", timeoutMs: 60_000 },
  migrate: { timeoutMs: 300_000 },
} as const;
