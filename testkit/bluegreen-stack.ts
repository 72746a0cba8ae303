/**
 * A demo stack driven by bluegreen itself, for integration tests of the engine, the CLI, the TUI,
 * the fault suite and the benchmarks: a temp dir with its own bluegreen.yml (own ports, stack name,
 * run dir and state dir) pointing at the repository's compose files, the shared services and
 * optionally colors up, a way to run the real CLI against it, and a request loop that counts failures.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { demoStackConfigYaml } from "./demo-stack-config.js";
import { startClock } from "../load/clock.js";
import { startProbeLoop, type ProbeLoop } from "../load/probe.js";
import type { ProbeSample } from "../load/types.js";
import { loadConfig } from "../src/config/index.js";
import { createPorts } from "../src/cli/wire.js";
import { Engine } from "../src/engine/engine.js";
import type { Ports } from "../src/engine/ports.js";
import { REPO_ROOT, startDemoStack, type ColorSpec, type DemoProxy, type DemoStack, type StackColor } from "./demo-stack.js";

export interface BluegreenStackOptions {
  /** Lowercase prefix, e.g. "bgt-eng-nginx"; a random suffix is added. */
  name: string;
  proxy: DemoProxy;
  proxyPort: number;
  previewPort: number;
  /** Colors up before the test starts (default: blue v1, green absent). */
  colors?: Partial<Record<StackColor, ColorSpec>>;
  /** Written into bluegreen.yml (defaults suit fast tests). */
  keepOldWarm?: boolean;
  verifyDuration?: string;
  healthTimeout?: string;
  drainTimeout?: string;
  /** Make the proxy route live traffic to this color after start (default: blue when it runs). */
  live?: StackColor;
  /** nginx only: the proxy's route mode (default: njs when the base image has the module). */
  nginxRoute?: "njs" | "reload";
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface BluegreenStack {
  demo: DemoStack;
  dir: string;
  configPath: string;
  stateDir: string;
  env: Record<string, string>;
  /** Runs `bluegreen -c <config> ...args` (the built CLI in dist/), no stdin, bounded. */
  cli(args: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<CliRun>;
  /** Starts the CLI and returns the child (for kill -9 tests); stdout/stderr collected on `output`. */
  spawnCli(args: string[], opts?: { env?: Record<string, string> }): { child: ChildProcess; output: { stdout: string; stderr: string }; exited: Promise<CliRun> };
  /** The real engine with real adapters for this stack's config. */
  openEngine(env?: Record<string, string>): Promise<{ engine: Engine; ports: Ports }>;
  destroy(): Promise<void>;
}

export const CLI = path.join(REPO_ROOT, "bin", "bluegreen.cjs");

function collect(child: ChildProcess): { output: { stdout: string; stderr: string }; exited: Promise<CliRun> } {
  const output = { stdout: "", stderr: "" };
  child.stdout?.on("data", (d: Buffer) => (output.stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output.stderr += d.toString()));
  const exited = new Promise<CliRun>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, ...output }));
  });
  return { output, exited };
}

export async function startBluegreenStack(o: BluegreenStackOptions): Promise<BluegreenStack> {
  const demo = await startDemoStack({ name: o.name, proxy: o.proxy, proxyPort: o.proxyPort, previewPort: o.previewPort, colors: o.colors ?? { blue: { version: "v1" } }, ...(o.nginxRoute ? { nginxRoute: o.nginxRoute } : {}) });
  let dir = "";
  try {
    dir = await mkdtemp(path.join(tmpdir(), "bluegreen-it-"));
    const stateDir = path.join(dir, "state");
    const configPath = path.join(dir, "bluegreen.yml");
    await writeFile(
      configPath,
      demoStackConfigYaml({
        repoRoot: REPO_ROOT,
        stack: demo.name,
        proxy: o.proxy,
        proxyPort: Number(new URL(demo.liveUrl).port),
        previewPort: Number(new URL(demo.previewUrl).port),
        runDir: demo.runDir,
        stateDir,
        verifyDuration: o.verifyDuration ?? "3s",
        healthTimeout: o.healthTimeout,
        drainTimeout: o.drainTimeout,
        keepOldWarm: o.keepOldWarm,
      }),
    );
    const env: Record<string, string> = { ...demo.env, CI: "true", NO_COLOR: "1" };
    const childEnv = (extra?: Record<string, string>) => ({ ...process.env, ...env, ...extra });
    const stack: BluegreenStack = {
      demo,
      dir,
      configPath,
      stateDir,
      env,
      spawnCli(args, opts) {
        const child = spawn(process.execPath, [CLI, "-c", configPath, ...args], { cwd: dir, env: childEnv(opts?.env), stdio: ["ignore", "pipe", "pipe"] });
        return { child, ...collect(child) };
      },
      async cli(args, opts) {
        const { child, exited } = stack.spawnCli(args, opts?.env ? { env: opts.env } : {});
        const timer = setTimeout(() => child.kill("SIGKILL"), opts?.timeoutMs ?? 240_000);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      },
      async openEngine(extraEnv) {
        const config = await loadConfig(configPath, { ...process.env, ...env, ...extraEnv });
        const ports = createPorts(config);
        return { engine: new Engine(ports), ports };
      },
      async destroy() {
        await demo.destroy();
        if (dir) await rm(dir, { recursive: true, force: true });
      },
    };
    if (o.live && o.live !== "blue") {
      const { ports } = await stack.openEngine();
      await ports.proxy.switchLive(o.live);
    }
    return stack;
  } catch (err) {
    await demo.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface TrafficSummary {
  requests: number;
  ok: number;
  /** 5xx, refused, timeouts, resets on fresh connections: the bar is 0. */
  hard: number;
  /** Idle keep-alive connections closed under a reused request (proxy reloads); retryable. */
  keepAliveCloses: number;
  colors: Partial<Record<StackColor, number>>;
  firstHard: ProbeSample | null;
}

/** A request loop through the live route, bounded in time and count, counting failures by class. */
export function startTraffic(url: string, opts: { intervalMs?: number; maxDurationMs?: number } = {}): { stop(): Promise<TrafficSummary>; loop: ProbeLoop } {
  const loop = startProbeLoop({ url, intervalMs: opts.intervalMs ?? 20, maxDurationMs: opts.maxDurationMs ?? 180_000, clock: startClock(), timeoutMs: 3000, connections: 4 });
  return {
    loop,
    async stop() {
      await loop.stop();
      const s = loop.samples;
      const colors: Partial<Record<StackColor, number>> = {};
      for (const x of s) if (x.color) colors[x.color] = (colors[x.color] ?? 0) + 1;
      const hard = s.filter((x) => x.error === "hard");
      return {
        requests: s.length,
        ok: s.filter((x) => x.error === null).length,
        hard: hard.length,
        keepAliveCloses: s.filter((x) => x.error === "keepalive-close").length,
        colors,
        firstHard: hard[0] ?? null,
      };
    },
  };
}
