// A real demo stack (compose.yml + compose.blue.yml + compose.green.yml) for integration tests:
// a unique stack name, its own run dir and ports, and a destroy() that removes every container,
// network and volume it made. Traffic goes only to the 127.0.0.1 ports it publishes.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ensureNginxRouteDir } from "../src/proxy/run-dir.js";

const execFileAsync = promisify(execFile);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export type DemoProxy = "nginx" | "caddy" | "haproxy";
export type StackColor = "blue" | "green";
export type StackTarget = StackColor | "shared";

export interface ColorSpec {
  /** APP_VERSION (image tag, label, X-App-Version). Default "v1". */
  version?: string;
  /** APP_FAILURE, e.g. "unhealthy", "crash-after:2". Default none. */
  failure?: string;
}

export interface DemoStackOptions {
  /** Prefix of the stack name (BG_STACK); a random suffix keeps runs apart. Lowercase, e.g. "bgt-h1-drain". */
  name: string;
  proxy?: DemoProxy;
  proxyPort: number;
  previewPort: number;
  /** Colors to bring up (in parallel) and wait healthy for before returning. */
  colors?: Partial<Record<StackColor, ColorSpec>>;
  /** DRAIN_MS of the apps (default 2000). */
  drainMs?: number;
  /** nginx only: build the proxy in this route mode (default: auto, i.e. njs when the base has it). */
  nginxRoute?: "njs" | "reload";
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

export interface DemoStack {
  /** BG_STACK: the shared project name; colors are `${name}-blue` / `${name}-green`. */
  name: string;
  proxy: DemoProxy;
  /** Environment the compose files read (BG_STACK, PROXY_PORT, PREVIEW_PORT, DEMO_PROXY, BG_RUN_DIR …). */
  env: Record<string, string>;
  /** Host dir mounted at /run/bluegreen in the proxy. */
  runDir: string;
  projects: Record<StackTarget, string>;
  composeFiles: Record<StackTarget, string>;
  network: string;
  liveUrl: string;
  previewUrl: string;
  /** Run compose for one project: `compose -p <project> -f <file> ...args` in the repo root. */
  compose(target: StackTarget, args: string[], extraEnv?: Record<string, string>): Promise<CommandOutput>;
  /** (Re)create a color with this version/failure and wait until Docker reports it healthy. */
  upColor(color: StackColor, spec?: ColorSpec, opts?: { waitHealthy?: boolean }): Promise<void>;
  /** `compose stop` one color (containers kept, like bluegreen stopping the old color). */
  stopColor(color: StackColor): Promise<void>;
  /** `compose down -v` one color. */
  removeColor(color: StackColor): Promise<void>;
  /** Id of the (first) container of a service, or null. */
  containerId(target: StackTarget): Promise<string | null>;
  /** Last log lines of a target's container (for failure messages). */
  logs(target: StackTarget, tail?: number): Promise<string>;
  /** Remove all three projects with volumes, the network and the run dir. Safe to call twice. */
  destroy(): Promise<void>;
}

const SERVICE: Record<StackTarget, string> = { shared: "proxy", blue: "app-blue", green: "app-green" };
const FILE: Record<StackTarget, string> = { shared: "compose.yml", blue: "compose.blue.yml", green: "compose.green.yml" };

export async function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CommandOutput> {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, args, {
      cwd: REPO_ROOT,
      env: opts.env ?? process.env,
      timeout: opts.timeoutMs ?? 180_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { stdout, stderr };
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string; code?: number | string };
    throw new Error(
      `command failed: ${cmd} ${args.join(" ")} (exit ${String(e.code)})\n${(e.stderr ?? "").trim().slice(-3000)}\n${(e.stdout ?? "").trim().slice(-1500)}`,
    );
  }
}

let composeCommandPromise: Promise<string[]> | undefined;
/** `docker compose` (v2) when present, else `docker-compose` (v1). */
export function composeCommand(): Promise<string[]> {
  composeCommandPromise ??= run("docker", ["compose", "version"], { timeoutMs: 15_000 }).then(
    () => ["docker", "compose"],
    () => ["docker-compose"],
  );
  return composeCommandPromise;
}

let baseImages: Promise<void> | undefined;
/** fixtures/images/build.sh once per test process (itself a no-op when the images exist). */
export function ensureBaseImages(): Promise<void> {
  baseImages ??= run("bash", ["fixtures/images/build.sh"], { timeoutMs: 600_000 }).then(() => undefined);
  return baseImages;
}

// Built images are reused within one test process: only the first `up` of an image passes --build.
const builtOnce = new Set<string>();

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Test ports shifted by BG_TEST_PORT_OFFSET (default 0), so that two checkouts can run the same
 * integration tests on one machine at once without their published ports colliding.
 */
export function testPort(port: number): number {
  const offset = Number(process.env.BG_TEST_PORT_OFFSET ?? 0);
  return port + (Number.isInteger(offset) ? offset : 0);
}

export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  options = { ...options, proxyPort: testPort(options.proxyPort), previewPort: testPort(options.previewPort) };
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(options.name)) {
    throw new Error(`stack name "${options.name}" must be lowercase letters, digits, '-' or '_' (compose project names)`);
  }
  const name = `${options.name}-${randomBytes(3).toString("hex")}`;
  const proxy = options.proxy ?? "nginx";
  const runDir = await mkdtemp(path.join(tmpdir(), `${name}-run-`));
  await ensureNginxRouteDir(runDir);
  const env: Record<string, string> = {
    BG_STACK: name,
    PROXY_PORT: String(options.proxyPort),
    PREVIEW_PORT: String(options.previewPort),
    DEMO_PROXY: proxy,
    BG_RUN_DIR: runDir,
    DRAIN_MS: String(options.drainMs ?? 2000),
    APP_VERSION: "v1",
    APP_FAILURE: "",
    // Its own image tag per mode, so a reload-mode proxy never replaces the njs one (and back).
    ...(options.nginxRoute ? { BG_NGINX_ROUTE: options.nginxRoute, BG_PROXY_TAG: `local-${options.nginxRoute}` } : {}),
  };
  const projects: Record<StackTarget, string> = { shared: name, blue: `${name}-blue`, green: `${name}-green` };
  const composeFiles: Record<StackTarget, string> = {
    shared: path.join(REPO_ROOT, FILE.shared),
    blue: path.join(REPO_ROOT, FILE.blue),
    green: path.join(REPO_ROOT, FILE.green),
  };
  const network = `${name}_net`;

  const compose = async (target: StackTarget, args: string[], extraEnv: Record<string, string> = {}) => {
    const [cmd, ...pre] = await composeCommand();
    return run(cmd!, [...pre, "-p", projects[target], "-f", composeFiles[target], ...args], {
      env: { ...process.env, ...env, ...extraEnv },
    });
  };

  const containerId = async (target: StackTarget): Promise<string | null> => {
    const { stdout } = await run("docker", [
      "ps", "-aq",
      "--filter", `label=com.docker.compose.project=${projects[target]}`,
      "--filter", `label=com.docker.compose.service=${SERVICE[target]}`,
    ]);
    return stdout.trim().split("\n").filter(Boolean)[0] ?? null;
  };

  const logs = async (target: StackTarget, tail = 30): Promise<string> => {
    const id = await containerId(target);
    if (!id) return `(no ${SERVICE[target]} container in project ${projects[target]})`;
    const { stdout, stderr } = await run("docker", ["logs", "--tail", String(tail), id]).catch((e: Error) => ({ stdout: e.message, stderr: "" }));
    return `${stdout}${stderr}`;
  };

  const waitHealthy = async (color: StackColor, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    let last = "no container";
    while (Date.now() < deadline) {
      const id = await containerId(color);
      if (id) {
        const { stdout } = await run("docker", ["inspect", "-f", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", id]);
        last = stdout.trim();
        if (last === "running healthy") return;
        if (last.startsWith("exited") || last.startsWith("dead")) break;
      }
      await sleep(250);
    }
    throw new Error(
      `app-${color} of stack ${name} did not become healthy within ${timeoutMs} ms (now: ${last}). Its last logs:\n${await logs(color)}`,
    );
  };

  const upArgs = (key: string) => {
    const args = ["up", "-d", "--force-recreate"];
    if (!builtOnce.has(key)) args.push("--build");
    return args;
  };

  const upColor = async (color: StackColor, spec: ColorSpec = {}, opts: { waitHealthy?: boolean } = {}) => {
    const version = spec.version ?? "v1";
    const key = `app:${version}`;
    await compose(color, upArgs(key), { APP_VERSION: version, APP_FAILURE: spec.failure ?? "" });
    builtOnce.add(key);
    if (opts.waitHealthy ?? true) await waitHealthy(color);
  };

  let destroyed: Promise<void> | undefined;
  const destroy = () => {
    // Plain docker commands by compose label: fast, and they work even when compose itself fails.
    destroyed ??= (async () => {
      const problems: string[] = [];
      for (const project of [projects.blue, projects.green, projects.shared]) {
        const filter = `label=com.docker.compose.project=${project}`;
        const ids = (await run("docker", ["ps", "-aq", "--filter", filter])).stdout.split("\n").filter(Boolean);
        if (ids.length) await run("docker", ["rm", "-f", "-v", ...ids]).catch((e: Error) => problems.push(e.message));
        const vols = (await run("docker", ["volume", "ls", "-q", "--filter", filter])).stdout.split("\n").filter(Boolean);
        if (vols.length) await run("docker", ["volume", "rm", "-f", ...vols]).catch((e: Error) => problems.push(e.message));
      }
      const nets = (await run("docker", ["network", "ls", "-q", "--filter", `name=^${network}$`])).stdout.trim();
      if (nets) await run("docker", ["network", "rm", network]).catch((e: Error) => problems.push(e.message));
      await rm(runDir, { recursive: true, force: true });
      if (problems.length) throw new Error(`destroying stack ${name} left something behind:\n${problems.join("\n")}`);
    })();
    return destroyed;
  };

  const stack: DemoStack = {
    name,
    proxy,
    env,
    runDir,
    projects,
    composeFiles,
    network,
    liveUrl: `http://127.0.0.1:${options.proxyPort}`,
    previewUrl: `http://127.0.0.1:${options.previewPort}`,
    compose,
    upColor,
    stopColor: async (color) => {
      await compose(color, ["stop"]);
    },
    removeColor: async (color) => {
      await compose(color, ["down", "-v", "--remove-orphans"]);
    },
    containerId,
    logs,
    destroy,
  };

  try {
    await ensureBaseImages();
    await compose("shared", upArgs(`proxy:${proxy}:${options.nginxRoute ?? "auto"}`));
    builtOnce.add(`proxy:${proxy}:${options.nginxRoute ?? "auto"}`);
    const colors = Object.entries(options.colors ?? {}) as [StackColor, ColorSpec][];
    await Promise.all(colors.map(([color, spec]) => upColor(color, spec)));
    await waitForHttp(`${stack.liveUrl}/`, 30_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\nproxy logs:\n${await logs("shared")}`);
    });
  } catch (err) {
    await destroy().catch(() => undefined);
    throw err;
  }
  return stack;
}

/** Waits until url answers any HTTP status (the listener is up). */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (last error: ${last})`);
}

export interface HealthAnswer {
  status: number;
  color: string | null;
  version: string | null;
  body: Record<string, unknown>;
}

export async function getHealth(baseUrl: string): Promise<HealthAnswer> {
  const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(3000) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, color: res.headers.get("x-app-color"), version: res.headers.get("x-app-version"), body };
}

/** Polls baseUrl/health until it answers 200 from `color` (bounded). */
export async function waitForColor(baseUrl: string, color: StackColor, timeoutMs = 30_000): Promise<HealthAnswer> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const h = await getHealth(baseUrl);
      if (h.status === 200 && h.color === color) return h;
      last = `${h.status} from ${h.color ?? "?"}: ${JSON.stringify(h.body)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${baseUrl}/health did not answer 200 from ${color} within ${timeoutMs} ms (last: ${last})`);
}
