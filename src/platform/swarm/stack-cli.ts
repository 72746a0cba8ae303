/**
 * `docker stack deploy` / `docker stack rm`: the only docker CLI calls of the adapter. Turning a
 * compose file into service specs (interpolation, configs, networks, deploy: keys) is the CLI's job;
 * everything else goes through the Engine API.
 */
import { displayCommand, type ComposeCommand } from "../../docker/compose-args.js";
import { runChild } from "../../process/child.js";
import { SwarmAbortedError } from "./poll.js";

/** Pure: the argv of a deploy. `--resolve-image never`: no registry is asked (images are loaded on the nodes). */
export function stackDeployCommand(dockerBin: string, manager: string, files: string[], namespace: string): ComposeCommand {
  return { cmd: dockerBin, args: ["-H", manager, "stack", "deploy", "--resolve-image", "never", "--prune", ...files.flatMap((f) => ["-c", f]), namespace] };
}

export function stackRmCommand(dockerBin: string, manager: string, namespace: string): ComposeCommand {
  return { cmd: dockerBin, args: ["-H", manager, "stack", "rm", namespace] };
}

/** The CLI talks to -H only: a DOCKER_HOST or DOCKER_CONTEXT of the operator's must not point it elsewhere. */
export function cliEnv(base: NodeJS.ProcessEnv, env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...base, ...env };
  delete out.DOCKER_HOST;
  delete out.DOCKER_CONTEXT;
  return out;
}

export class StackCommandError extends Error {
  override readonly name = "StackCommandError";
  constructor(
    readonly commandLine: string,
    readonly exitCode: number | null,
    readonly lastLines: string[],
    state: string,
    todo: string,
    spawnError?: string,
  ) {
    const how = spawnError ? `could not be started (${spawnError})` : `failed with exit code ${exitCode ?? "none (killed)"}`;
    super(`\`${commandLine}\` ${how}.${lastLines.length ? `\nLast output:\n${lastLines.map((l) => `  ${l}`).join("\n")}` : "\n(no output)"}\n${state} What to do: ${todo}`);
  }
}

/** Runs one stack command to its end; an abort stops it (its process group) and rejects with an AbortError. */
export async function runStackCommand(
  command: ComposeCommand,
  opts: { cwd: string; env: NodeJS.ProcessEnv; signal?: AbortSignal | undefined; onLine?: ((line: string) => void) | undefined; state: string; todo: string },
): Promise<void> {
  const line = displayCommand(command);
  if (opts.signal?.aborted) throw new SwarmAbortedError(`before \`${line}\``, "Nothing was changed.", { cause: opts.signal.reason });
  const result = await runChild(command.cmd, command.args, { cwd: opts.cwd, env: opts.env, tailLines: 20, onLine: opts.onLine, signal: opts.signal, killGraceMs: 5_000 });
  if (result.stopped) throw new SwarmAbortedError(`\`${line}\` (${result.stopped.how})`, opts.state, { cause: opts.signal?.reason });
  if (result.exitCode !== 0) throw new StackCommandError(line, result.exitCode, result.lines, opts.state, opts.todo, result.spawnError);
}
