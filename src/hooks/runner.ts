import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { runChild } from "../process/child.js";
import { EngineError } from "../engine/errors.js";
import { HOOK_POINTS, type HookPoint, type HookRun, type HooksPort } from "../engine/ports.js";

export const HOOK_TAIL_LINES = 20;
/** After SIGTERM to its process group, a hook gets this long before SIGKILL. */
export const HOOK_KILL_GRACE_MS = 2_000;

/**
 * The hooks directory: `<dir>/<point>` is run with no arguments (argv, never a shell), the facts in
 * its environment, in its own process group so a timeout kills whatever it started too (runChild).
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

async function runHookProcess(
  point: HookPoint,
  path: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  opts: { timeoutMs: number; signal?: AbortSignal; onLine?: (line: string) => void },
): Promise<HookRun> {
  const run = await runChild(path, [], { cwd, env, tailLines: HOOK_TAIL_LINES, onLine: opts.onLine, signal: opts.signal, timeoutMs: opts.timeoutMs, killGraceMs: HOOK_KILL_GRACE_MS });
  const timedOut = run.stopped?.reason === "timeout";
  return {
    point,
    path,
    exitCode: timedOut ? null : run.exitCode,
    timedOut,
    durationMs: run.durationMs,
    tail: run.lines,
    ...(run.spawnError ? { spawnError: run.spawnError } : {}),
  };
}
