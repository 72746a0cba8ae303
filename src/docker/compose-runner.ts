import { spawn } from "node:child_process";
import { composeArgs, displayCommand, type ComposeCommand, type ComposeVariant, type ComposeVerb } from "./compose-args.js";
import { ComposeError, ComposeNotFoundError, describeCause } from "./errors.js";
import { LineSplitter } from "./line-splitter.js";
import type { ComposeRunner, ComposeTarget } from "./types.js";

export interface ComposeRunnerOptions {
  /** Executables to try (tests point them elsewhere); defaults "docker" and "docker-compose". */
  dockerBin?: string;
  composeV1Bin?: string;
  /** Output lines kept for errors. */
  tailLines?: number;
  /** The config's docker.host: compose talks to this daemon (as DOCKER_HOST), like dockerode does. */
  dockerHost?: string | null;
}

interface RunResult {
  exitCode: number | null;
  lines: string[];
  spawnError?: string;
}

/**
 * Runs Docker Compose for one project at a time. Detects `docker compose` (v2) first, then
 * `docker-compose` (v1), once. Both stdout and stderr are streamed as lines (compose v1 writes its
 * progress to stderr).
 */
export function createComposeRunner(opts: ComposeRunnerOptions = {}): ComposeRunner {
  const tailLines = opts.tailLines ?? 20;
  const bins: Record<ComposeVariant, string> = { v2: opts.dockerBin ?? "docker", v1: opts.composeV1Bin ?? "docker-compose" };
  let detected: Promise<ComposeVariant> | null = null;
  const baseEnv: NodeJS.ProcessEnv = opts.dockerHost ? { ...process.env, DOCKER_HOST: opts.dockerHost } : process.env;

  const resolveBin = (command: ComposeCommand, variant: ComposeVariant): ComposeCommand => ({ ...command, cmd: bins[variant] });

  const detect = async (): Promise<ComposeVariant> => {
    const tried: string[] = [];
    for (const variant of ["v2", "v1"] as const) {
      const command = resolveBin(composeArgs(variant, { project: "", files: [] }, { verb: "version" }), variant);
      tried.push(displayCommand(command));
      const result = await run(command, process.cwd(), baseEnv, undefined, tailLines);
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

  const exec = async (target: ComposeTarget, action: ComposeVerb, onLine?: (line: string) => void): Promise<void> => {
    const v = await variant();
    const command = resolveBin(composeArgs(v, target, action), v);
    // target.env comes from the config's env, which may not set DOCKER_HOST (config/env-denylist.ts).
    const env = { ...baseEnv, ...target.env };
    const result = await run(command, target.cwd, env, onLine, tailLines);
    if (result.exitCode !== 0) throw new ComposeError(displayCommand(command), result.exitCode, result.lines, result.spawnError);
  };

  return {
    variant,
    build: (target, onLine) => exec(target, { verb: "build" }, onLine),
    up: (target, upOpts, onLine) => exec(target, { verb: "up", build: upOpts?.build, recreate: upOpts?.recreate }, onLine),
    stop: (target, timeoutSec) => exec(target, { verb: "stop", timeoutSec }),
    down: (target, downOpts) => exec(target, { verb: "down", volumes: downOpts?.volumes }),
  };
}

function run(
  command: ComposeCommand,
  cwd: string,
  env: NodeJS.ProcessEnv,
  onLine: ((line: string) => void) | undefined,
  tailLines: number,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const keep = (line: string): void => {
      lines.push(line);
      if (lines.length > tailLines) lines.shift();
      onLine?.(line);
    };
    const child = spawn(command.cmd, command.args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const splitters = [new LineSplitter(), new LineSplitter()] as const;
    child.stdout.on("data", (chunk: Buffer) => splitters[0].push(chunk).forEach(keep));
    child.stderr.on("data", (chunk: Buffer) => splitters[1].push(chunk).forEach(keep));
    let spawnError: string | undefined;
    child.on("error", (err) => {
      spawnError = describeCause(err);
    });
    child.on("close", (code) => {
      splitters.forEach((s) => s.flush().forEach(keep));
      resolve({ exitCode: spawnError ? null : code, lines, ...(spawnError ? { spawnError } : {}) });
    });
  });
}
