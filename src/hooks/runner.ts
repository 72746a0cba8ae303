import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { LineSplitter } from "../docker/line-splitter.js";
import { EngineError } from "../engine/errors.js";
import { HOOK_POINTS, type HookPoint, type HookRun, type HooksPort } from "../engine/ports.js";

export const HOOK_TAIL_LINES = 20;
/** After SIGTERM to its process group, a hook gets this long before SIGKILL. */
export const HOOK_KILL_GRACE_MS = 2_000;

/**
 * The hooks directory: `<dir>/<point>` is run with no arguments (argv, never a shell), the facts in
 * its environment, in its own process group so a timeout kills whatever it started too.
 */
export function createHooksRunner(dir: string, opts: { cwd: string; baseEnv?: NodeJS.ProcessEnv }): HooksPort {
  const baseEnv = opts.baseEnv ?? process.env;
  return {
    async validate() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return []; // no hooks directory: no hooks
        throw new EngineError("usage", `cannot read the hooks directory ${dir}: ${(err as Error).message}`, "nothing was changed", "fix its permissions (or hooks.dir in the config) and run again");
      }
      const problems: string[] = [];
      const present: HookPoint[] = [];
      for (const point of HOOK_POINTS) {
        if (!names.includes(point)) continue;
        present.push(point);
        const path = join(dir, point);
        const st = await stat(path);
        if (!st.isFile()) problems.push(`${path} is not a file`);
        else if (!(await access(path, constants.X_OK).then(() => true, () => false))) problems.push(`${path} is not executable (chmod +x ${path})`);
      }
      if (problems.length > 0) {
        throw new EngineError("usage", `the hooks directory has hooks that cannot run:\n${problems.map((p) => `  - ${p}`).join("\n")}`, "nothing was changed", "fix them (or remove them) and run again");
      }
      return present;
    },

    async run(point: HookPoint, env, runOpts): Promise<HookRun | null> {
      const path = join(dir, point);
      const exists = await stat(path).then((s) => s.isFile(), () => false);
      if (!exists) return null;
      return runHookProcess(point, path, { ...baseEnv, ...env }, opts.cwd, runOpts);
    },
  };
}

function runHookProcess(
  point: HookPoint,
  path: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  opts: { timeoutMs: number; signal?: AbortSignal; onLine?: (line: string) => void },
): Promise<HookRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const tail: string[] = [];
    const keep = (line: string): void => {
      tail.push(line);
      if (tail.length > HOOK_TAIL_LINES) tail.shift();
      opts.onLine?.(line);
    };
    // detached: its own process group, so the kill reaches the children a script started.
    const child = spawn(path, [], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const splitters = [new LineSplitter(), new LineSplitter()] as const;
    child.stdout.on("data", (chunk: Buffer) => splitters[0].push(chunk).forEach(keep));
    child.stderr.on("data", (chunk: Buffer) => splitters[1].push(chunk).forEach(keep));
    let timedOut = false;
    let spawnError: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is gone already
      }
    };
    const stop = (): void => {
      killGroup("SIGTERM");
      killTimer = setTimeout(() => killGroup("SIGKILL"), HOOK_KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    opts.signal?.addEventListener("abort", stop, { once: true });
    child.on("error", (err) => {
      spawnError = err.message;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      // The script may have exited while a child it left in the group lingers: end the group.
      if (timedOut) killGroup("SIGKILL");
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener("abort", stop);
      splitters.forEach((s) => s.flush().forEach(keep));
      resolve({
        point,
        path,
        exitCode: timedOut || spawnError ? null : code,
        timedOut,
        durationMs: Date.now() - t0,
        tail,
        ...(spawnError ? { spawnError } : {}),
      });
    });
  });
}
