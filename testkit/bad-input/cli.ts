/** Runs the built CLI exactly as an operator would in a pipeline: argument array, no stdin, bounded. */
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { CLI, type CliRun } from "../bluegreen-stack.js";

export interface CliOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Process umask for the child (file-mode tests); default: inherited. */
  umask?: number;
}

export interface RunningCli {
  pid: number | undefined;
  output: { stdout: string; stderr: string };
  exited: Promise<CliRun>;
}

/**
 * Starts `node bin/bluegreen.cjs ...args`. stdin is /dev/null (not a TTY). With `umask`, a tiny
 * launcher sets it first (node cannot set a child's umask through spawn options).
 */
export function startCli(args: string[], opts: CliOptions): RunningCli {
  const argv =
    opts.umask === undefined
      ? [CLI, ...args]
      : ["--input-type=module", "-e", `process.umask(${opts.umask}); process.argv = [process.argv[0], ${JSON.stringify(CLI)}, ...process.argv.slice(1)]; await import(${JSON.stringify(pathToFileURL(CLI).href)});`, "--", ...args];
  const child = spawn(process.execPath, argv, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (d: Buffer) => (output.stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output.stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
  const exited = new Promise<CliRun>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...output });
    });
  });
  return { pid: child.pid, output, exited };
}

export function runCli(args: string[], opts: CliOptions): Promise<CliRun> {
  return startCli(args, opts).exited;
}
