import { spawn } from "node:child_process";
import { composeArgs, displayCommand, type ComposeCommand, type ComposeVariant, type ComposeVerb } from "./compose-args.js";
import { ComposeAbortedError, ComposeError, ComposeNotFoundError, describeCause } from "./errors.js";
import { LineSplitter } from "./line-splitter.js";
import type { ComposeRunner, ComposeTarget, OneOffResult } from "./types.js";

export interface ComposeRunnerOptions {
  /** Executables to try (tests point them elsewhere); defaults "docker" and "docker-compose". */
  dockerBin?: string;
  composeV1Bin?: string;
  /** Output lines kept for errors. */
  tailLines?: number;
  /** After an abort, how long compose gets to exit on SIGTERM before its process group is SIGKILLed (default 5000). */
  killGraceMs?: number;
  /** The config's docker.host: compose talks to this daemon (as DOCKER_HOST), like dockerode does. */
  dockerHost?: string | null;
}

interface RunResult {
  exitCode: number | null;
  lines: string[];
  spawnError?: string;
  /** Set when an abort stopped it: how ("SIGTERM", or "killed after N ms"). */
  aborted?: string;
}

/**
 * Compose children run in their own process group (so an abort reaches compose and everything it
 * started, e.g. a PyInstaller bootloader's python child). Groups still running when bluegreen exits
 * (a second Ctrl-C quits at once) get SIGTERM rather than living on unseen.
 */
const runningGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  runningGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const group of runningGroups) killGroup(group, "SIGTERM");
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs Docker Compose for one project at a time. Detects `docker compose` (v2) first, then
 * `docker-compose` (v1), once. Both stdout and stderr are streamed as lines (compose v1 writes its
 * progress to stderr).
 */
export function createComposeRunner(opts: ComposeRunnerOptions = {}): ComposeRunner {
  const tailLines = opts.tailLines ?? 20;
  const killGraceMs = opts.killGraceMs ?? 5_000;
  const bins: Record<ComposeVariant, string> = { v2: opts.dockerBin ?? "docker", v1: opts.composeV1Bin ?? "docker-compose" };
  let detected: Promise<ComposeVariant> | null = null;
  const baseEnv: NodeJS.ProcessEnv = opts.dockerHost ? { ...process.env, DOCKER_HOST: opts.dockerHost } : process.env;

  const resolveBin = (command: ComposeCommand, variant: ComposeVariant): ComposeCommand => ({ ...command, cmd: bins[variant] });

  const detect = async (): Promise<ComposeVariant> => {
    const tried: string[] = [];
    for (const variant of ["v2", "v1"] as const) {
      const command = resolveBin(composeArgs(variant, { project: "", files: [] }, { verb: "version" }), variant);
      tried.push(displayCommand(command));
      const result = await run(command, process.cwd(), baseEnv, undefined, tailLines, undefined, killGraceMs);
      if (result.exitCode === 0) return variant;
    }
    throw new ComposeNotFoundError(tried);
  };

  const variant = (): Promise<ComposeVariant> => {
    // Cache the answer, but not a failure: compose may be installed while bluegreen runs.
    detected ??= detect().catch((err: unknown) => {
      detected = null;
      throw err;
    });
    return detected;
  };

  const exec = async (target: ComposeTarget, action: ComposeVerb, onLine?: (line: string) => void, signal?: AbortSignal): Promise<void> => {
    const v = await variant();
    const command = resolveBin(composeArgs(v, target, action), v);
    if (signal?.aborted) throw new ComposeAbortedError(displayCommand(command), "before it started", { cause: signal.reason });
    // target.env comes from the config's env, which may not set DOCKER_HOST (config/env-denylist.ts).
    const env = { ...baseEnv, ...target.env };
    const result = await run(command, target.cwd, env, onLine, tailLines, signal, killGraceMs);
    if (result.aborted) throw new ComposeAbortedError(displayCommand(command), result.aborted, { cause: signal?.reason });
    if (result.exitCode !== 0) throw new ComposeError(displayCommand(command), result.exitCode, result.lines, result.spawnError);
  };

  return {
    variant,
    build: (target, onLine, buildOpts) => exec(target, { verb: "build", ...(buildOpts?.services ? { services: buildOpts.services } : {}) }, onLine, buildOpts?.signal),
    up: (target, upOpts, onLine) => exec(target, { verb: "up", build: upOpts?.build, recreate: upOpts?.recreate, services: upOpts?.services }, onLine, upOpts?.signal),
    stop: (target, timeoutSec) => exec(target, { verb: "stop", timeoutSec }),
    down: (target, downOpts) => exec(target, { verb: "down", volumes: downOpts?.volumes }),
    runOnce: async (target, service, argv, runOpts) => {
      const v = await variant();
      const name = `${target.project}-${service}-run-${Date.now().toString(36)}`;
      const command = resolveBin(composeArgs(v, target, { verb: "run", service, argv, name }), v);
      return runOneOff(command, name, target, runOpts, bins.v2, Math.max(tailLines, 40));
    },
  };
}

/**
 * Runs a one-off container to its end, bounded in time. Killing the compose client alone would
 * leave the container running, so on timeout or abort the container itself is removed by name.
 */
function runOneOff(
  command: ComposeCommand,
  name: string,
  target: ComposeTarget,
  opts: { timeoutMs: number; signal?: AbortSignal; onLine?: (line: string) => void },
  dockerBin: string,
  tailLines: number,
): Promise<OneOffResult> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const keep = (line: string): void => {
      lines.push(line);
      if (lines.length > tailLines) lines.shift();
      opts.onLine?.(line);
    };
    const child = spawn(command.cmd, command.args, { cwd: target.cwd, env: { ...process.env, ...target.env }, stdio: ["ignore", "pipe", "pipe"] });
    const splitters = [new LineSplitter(), new LineSplitter()] as const;
    child.stdout.on("data", (chunk: Buffer) => splitters[0].push(chunk).forEach(keep));
    child.stderr.on("data", (chunk: Buffer) => splitters[1].push(chunk).forEach(keep));
    let timedOut = false;
    let aborted = false;
    let spawnError: string | null = null;
    const stop = (): void => {
      spawn(dockerBin, ["rm", "-f", name], { stdio: "ignore" }).on("error", () => undefined);
      child.kill("SIGTERM");
    };
    const timer = setTimeout(() => {
      timedOut = true;
      keep(`(timed out after ${opts.timeoutMs} ms: container ${name} removed)`);
      stop();
    }, opts.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (err) => {
      spawnError = describeCause(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      splitters.forEach((s) => s.flush().forEach(keep));
      if (spawnError) keep(`(could not run ${command.cmd}: ${spawnError})`);
      resolve({ exitCode: timedOut || aborted || spawnError ? null : code, timedOut, aborted, lines, command: displayCommand(command) });
    });
  });
}

function run(
  command: ComposeCommand,
  cwd: string,
  env: NodeJS.ProcessEnv,
  onLine: ((line: string) => void) | undefined,
  tailLines: number,
  signal: AbortSignal | undefined,
  killGraceMs: number,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const keep = (line: string): void => {
      lines.push(line);
      if (lines.length > tailLines) lines.shift();
      onLine?.(line);
    };
    const child = spawn(command.cmd, command.args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid);
    let aborted: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (pid === undefined || aborted) return;
      aborted = "SIGTERM";
      killGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => {
        aborted = `killed after ${killGraceMs} ms: it did not exit on SIGTERM`;
        killGroup(pid, "SIGKILL");
      }, killGraceMs);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const splitters = [new LineSplitter(), new LineSplitter()] as const;
    child.stdout.on("data", (chunk: Buffer) => splitters[0].push(chunk).forEach(keep));
    child.stderr.on("data", (chunk: Buffer) => splitters[1].push(chunk).forEach(keep));
    let spawnError: string | undefined;
    child.on("error", (err) => {
      spawnError = describeCause(err);
    });
    child.on("close", (code) => {
      signal?.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      if (pid !== undefined) {
        runningGroups.delete(pid);
        // compose exited; whatever it left in its group (an orphaned builder) goes with it.
        if (aborted) killGroup(pid, "SIGKILL");
      }
      splitters.forEach((s) => s.flush().forEach(keep));
      resolve({ exitCode: spawnError ? null : code, lines, ...(spawnError ? { spawnError } : {}), ...(aborted ? { aborted } : {}) });
    });
  });
}
