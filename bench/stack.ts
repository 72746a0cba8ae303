/**
 * A demo stack driven by bluegreen itself, for the benchmarks: a temp dir with two bluegreen.yml
 * files for one stack (own ports, stack name, run dir and state dir; one with a verify duration for
 * deploys, one with a minimal one for switch/rollback timings), the real CLI and the real Engine on it,
 * and a destroy() that removes every container, network and volume of the stack.
 * (The test kit's helpers in testkit/ resolve the repository root from their own location, which
 * breaks once compiled to dist/, so the bench brings its stack up through `bluegreen deploy`.)
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createPorts } from "../src/cli/wire.js";
import { loadConfig } from "../src/config/index.js";
import { Engine } from "../src/engine/engine.js";
import type { OperationResult } from "../src/engine/events.js";
import type { Ports } from "../src/engine/ports.js";
import { demoStackConfigYaml } from "../testkit/demo-stack-config.js";

const execFileAsync = promisify(execFile);

/** dist/bench/stack.js or bench/stack.ts: the repository root is found by its package.json two or three levels up. */
export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
export const CLI = path.join(REPO_ROOT, "bin", "bluegreen.cjs");

function findRepoRoot(from: string): string {
  // bench/ → repo, dist/bench/ → dist → repo
  const up1 = path.resolve(from, "..");
  return path.basename(up1) === "dist" ? path.resolve(up1, "..") : up1;
}

export type BenchProxy = "nginx" | "caddy" | "haproxy";

export interface BenchStackOptions {
  /** Lowercase prefix, e.g. "bgt-bench-nginx"; a random suffix is added. */
  name: string;
  proxy: BenchProxy;
  proxyPort: number;
  previewPort: number;
  /** verify.duration of the deploy config (the fast config always has 0). */
  verifyDuration: string;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, ms. */
  wallMs: number;
}

export interface BenchStack {
  name: string;
  proxy: BenchProxy;
  liveUrl: string;
  previewUrl: string;
  /** Config with the given verify duration (deploys). */
  configPath: string;
  /** Same stack, verify 100ms for the CLI (the config refuses 0); openEngine("fast") runs with verify 0. */
  fastConfigPath: string;
  /** Runs `bluegreen -c <config> ...args`, no stdin, bounded (spawned synchronously on the call). */
  cli(args: string[], opts?: { config?: "deploy" | "fast"; timeoutMs?: number }): Promise<CliRun>;
  /** The real engine with real adapters for one of the configs. */
  openEngine(config: "deploy" | "fast"): Promise<{ engine: Engine; ports: Ports }>;
  destroy(): Promise<void>;
}

async function run(cmd: string, args: string[], timeoutMs = 180_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(cmd, args, { cwd: REPO_ROOT, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string; code?: number | string };
    throw new Error(`command failed: ${cmd} ${args.join(" ")} (exit ${String(e.code)})\n${(e.stderr ?? "").trim().slice(-2000)}`);
  }
}

/** fixtures/images/build.sh (a no-op when the base images exist; nothing is pulled). */
export async function ensureBaseImages(): Promise<void> {
  await run("bash", ["fixtures/images/build.sh"], 600_000);
}

/** Writes the configs; nothing runs until the first `deploy`. */
export async function createBenchStack(o: BenchStackOptions): Promise<BenchStack> {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(o.name)) throw new Error(`stack name "${o.name}" must be lowercase letters, digits, '-' or '_'`);
  const name = `${o.name}-${randomBytes(3).toString("hex")}`;
  const dir = await mkdtemp(path.join(tmpdir(), `${name}-`));
  const runDir = path.join(dir, "run");
  const stateDir = path.join(dir, "state");
  await mkdir(runDir, { recursive: true });
  const configPath = path.join(dir, "bluegreen.yml");
  const fastConfigPath = path.join(dir, "bluegreen-fast.yml");
  const configYaml = (verifyDuration: string) =>
    demoStackConfigYaml({ repoRoot: REPO_ROOT, stack: name, proxy: o.proxy, proxyPort: o.proxyPort, previewPort: o.previewPort, runDir, stateDir, verifyDuration });
  await writeFile(configPath, configYaml(o.verifyDuration));
  // The config refuses verify 0, so the CLI's fast config verifies briefly; openEngine("fast") uses 0.
  await writeFile(fastConfigPath, configYaml("100ms"));
  // What the demo compose files read besides the config's env block.
  const env: Record<string, string> = { BG_STACK: name, BG_RUN_DIR: runDir, DRAIN_MS: "500", CI: "true", NO_COLOR: "1" };
  const pathOf = (config: "deploy" | "fast") => (config === "fast" ? fastConfigPath : configPath);

  let destroyed: Promise<void> | undefined;
  const stack: BenchStack = {
    name,
    proxy: o.proxy,
    liveUrl: `http://127.0.0.1:${o.proxyPort}`,
    previewUrl: `http://127.0.0.1:${o.previewPort}`,
    configPath,
    fastConfigPath,
    cli(args, opts = {}) {
      const started = performance.now();
      const child = spawn(process.execPath, [CLI, "-c", pathOf(opts.config ?? "deploy"), ...args], {
        cwd: dir,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 180_000);
      return new Promise((resolve) => {
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr, wallMs: performance.now() - started });
        });
      });
    },
    async openEngine(config) {
      const loaded = await loadConfig(pathOf(config), { ...process.env, ...env });
      const ports = createPorts(config === "fast" ? { ...loaded, verify: { ...loaded.verify, durationMs: 0 } } : loaded);
      return { engine: new Engine(ports), ports };
    },
    destroy() {
      // Plain docker commands by compose label: they work even when compose itself fails.
      destroyed ??= (async () => {
        const problems: string[] = [];
        for (const project of [`${name}-blue`, `${name}-green`, name]) {
          const filter = `label=com.docker.compose.project=${project}`;
          const ids = (await run("docker", ["ps", "-aq", "--filter", filter])).split("\n").filter(Boolean);
          if (ids.length) await run("docker", ["rm", "-f", "-v", ...ids]).catch((e: Error) => problems.push(e.message));
          const vols = (await run("docker", ["volume", "ls", "-q", "--filter", filter])).split("\n").filter(Boolean);
          if (vols.length) await run("docker", ["volume", "rm", "-f", ...vols]).catch((e: Error) => problems.push(e.message));
        }
        const network = `${name}_net`;
        if ((await run("docker", ["network", "ls", "-q", "--filter", `name=^${network}$`])).trim()) {
          await run("docker", ["network", "rm", network]).catch((e: Error) => problems.push(e.message));
        }
        await rm(dir, { recursive: true, force: true });
        if (problems.length) throw new Error(`destroying bench stack ${name} left something behind:\n${problems.join("\n")}`);
      })();
      return destroyed;
    },
  };
  return stack;
}

/** The `result` line of `--json` output. */
export function parseJsonResult(stdout: string): OperationResult {
  const lines = stdout.trim().split("\n").reverse();
  for (const line of lines) {
    try {
      const event = JSON.parse(line) as { type?: string } & OperationResult;
      if (event.type === "result") return event;
    } catch {
      // not a JSON line
    }
  }
  throw new Error(`no "result" line in the CLI's --json output:\n${stdout.slice(-2000)}`);
}
