import { spawn } from "node:child_process";
import { composeArgs, displayCommand, type ComposeCommand, type ComposeVariant, type ComposeVerb } from "./compose-args.js";
import { runChild } from "../process/child.js";
import { ComposeAbortedError, ComposeError, ComposeNotFoundError } from "./errors.js";
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
      const result = await runChild(command.cmd, command.args, { cwd: process.cwd(), env: baseEnv, tailLines, killGraceMs });
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
    const result = await runChild(command.cmd, command.args, { cwd: target.cwd, env, tailLines, killGraceMs, onLine, signal });
    if (result.stopped) throw new ComposeAbortedError(displayCommand(command), result.stopped.how, { cause: signal?.reason });
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
      // Like every compose call, the one-off talks to the config's docker.host; so does its removal.
      return runOneOff(command, name, { ...baseEnv, ...target.env }, target, runOpts, { dockerBin: bins.v2, tailLines: Math.max(tailLines, 40), killGraceMs });
    },
  };
}

/**
 * Runs a one-off container to its end, bounded in time. Stopping the compose client alone would
 * leave the container running, so on timeout or abort the container itself is removed by name.
 */
async function runOneOff(
  command: ComposeCommand,
  name: string,
  env: NodeJS.ProcessEnv,
  target: ComposeTarget,
  opts: { timeoutMs: number; signal?: AbortSignal; onLine?: (line: string) => void },
  limits: { dockerBin: string; tailLines: number; killGraceMs: number },
): Promise<OneOffResult> {
  const result = await runChild(command.cmd, command.args, {
    cwd: target.cwd,
    env,
    tailLines: limits.tailLines,
    onLine: opts.onLine,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    killGraceMs: limits.killGraceMs,
    onStop: (reason) => {
      spawn(limits.dockerBin, ["rm", "-f", name], { env, stdio: "ignore" }).on("error", () => undefined);
      return reason === "timeout" ? `(timed out after ${opts.timeoutMs} ms: container ${name} removed)` : undefined;
    },
  });
  const couldNotRun = result.spawnError ? `(could not run ${command.cmd}: ${result.spawnError})` : null;
  if (couldNotRun) opts.onLine?.(couldNotRun);
  return {
    exitCode: result.stopped || couldNotRun ? null : result.exitCode,
    timedOut: result.stopped?.reason === "timeout",
    aborted: result.stopped?.reason === "abort",
    lines: couldNotRun ? [...result.lines, couldNotRun] : result.lines,
    command: displayCommand(command),
  };
}
