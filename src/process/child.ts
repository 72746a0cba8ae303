import { spawn } from "node:child_process";
import { LineSplitter } from "./line-splitter.js";

export type StopReason = "timeout" | "abort";

export interface ChildOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Output lines kept (stdout and stderr interleaved as they come). */
  tailLines: number;
  onLine?: ((line: string) => void) | undefined;
  /**
   * An abort while it runs stops it. One aborted before it starts does not: an on-failure hook still
   * runs after a Ctrl-C (bounded by its timeout); callers that must not start then check first.
   */
  signal?: AbortSignal | undefined;
  /** Stops it after this long; none: it may run as long as it needs (an abort still stops it). */
  timeoutMs?: number;
  /** After SIGTERM to its process group, how long before the group is SIGKILLed. */
  killGraceMs: number;
  /**
   * Runs when bluegreen stops it, before its group gets SIGTERM (a one-off container outlives its
   * compose client: remove it here). A line returned is kept with the output.
   */
  onStop?: (reason: StopReason) => string | undefined;
}

export interface ChildRun {
  /** Its exit code; null when it could not start or a signal ended it. */
  exitCode: number | null;
  /** The last `tailLines` lines of its output. */
  lines: string[];
  spawnError?: string;
  /** Set when bluegreen stopped it: why, and how ("SIGTERM", or "killed after N ms: it did not exit on SIGTERM"). */
  stopped?: { reason: StopReason; how: string };
  durationMs: number;
}

/**
 * Groups still running when bluegreen exits (a second Ctrl-C quits at once) get SIGTERM rather than
 * living on unseen.
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
 * Runs an external command (an argv, never a shell) to its end in its own process group, so that a
 * stop reaches everything it started (compose's builder, a PyInstaller bootloader's python child, a
 * hook's background jobs): SIGTERM to the group on a timeout or an abort, SIGKILL after the grace,
 * and SIGKILL to whatever it left in its group once it has exited.
 */
export function runChild(cmd: string, args: readonly string[], opts: ChildOptions): Promise<ChildRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const lines: string[] = [];
    const keep = (line: string): void => {
      lines.push(line);
      if (lines.length > opts.tailLines) lines.shift();
      opts.onLine?.(line);
    };
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid);
    const splitters = [new LineSplitter(), new LineSplitter()] as const;
    child.stdout.on("data", (chunk: Buffer) => splitters[0].push(chunk).forEach(keep));
    child.stderr.on("data", (chunk: Buffer) => splitters[1].push(chunk).forEach(keep));

    let stopped: ChildRun["stopped"];
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (reason: StopReason): void => {
      if (stopped) return;
      stopped = { reason, how: "SIGTERM" };
      const note = opts.onStop?.(reason);
      if (note) keep(note);
      if (pid === undefined) return;
      killGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => {
        if (stopped) stopped.how = `killed after ${opts.killGraceMs} ms: it did not exit on SIGTERM`;
        killGroup(pid, "SIGKILL");
      }, opts.killGraceMs);
    };
    const onAbort = (): void => stop("abort");
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => stop("timeout"), opts.timeoutMs);
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    let spawnError: string | undefined;
    child.on("error", (err) => {
      spawnError = err.message;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (pid !== undefined) {
        runningGroups.delete(pid);
        // It exited; whatever it left in its group (an orphaned builder, a hook's job) goes with it.
        if (stopped) killGroup(pid, "SIGKILL");
      }
      splitters.forEach((s) => s.flush().forEach(keep));
      resolve({
        exitCode: spawnError ? null : code,
        lines,
        ...(spawnError ? { spawnError } : {}),
        ...(stopped ? { stopped } : {}),
        durationMs: Date.now() - t0,
      });
    });
  });
}
