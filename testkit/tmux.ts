/**
 * A program in a detached tmux pane of a fixed size, for end-to-end tests of the TUI on a real
 * terminal: send keys, read the screen with capture-pane, wait for text. Every session runs on its
 * own tmux server (`-L bgt-tui-<random>`), so tests never touch an operator's tmux.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const TMUX = "tmux";
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface TmuxOptions {
  /** The command and its arguments, run directly (no shell) in the pane. */
  command: string[];
  cwd: string;
  /** Set in the pane's environment (on top of the tmux server's, which inherits ours). */
  env?: Record<string, string>;
  /** Variables removed from the pane's environment (e.g. NO_COLOR for a colored run). */
  unsetEnv?: string[];
  columns: number;
  rows: number;
}

export interface CaptureOptions {
  /** Keep the escape sequences (colors, attributes): capture-pane -e. */
  escapes?: boolean;
}

export interface TmuxSession {
  socket: string;
  /** Send keys as tmux key names ("Enter", "Escape", "Down", "C-c") or literal text with { literal: true }. */
  sendKeys(keys: string[], opts?: { literal?: boolean }): Promise<void>;
  /** The visible screen, one string with "\n" between rows. */
  capture(opts?: CaptureOptions): Promise<string>;
  /** Polls the screen every 150 ms until `pattern` matches; throws with the last screen on timeout. */
  waitFor(pattern: RegExp, timeoutMs: number, opts?: CaptureOptions): Promise<string>;
  /** The program's pid (the pane's process: the command runs without a shell). */
  pid(): Promise<number>;
  /** The program's exit status once it has exited, else null (remain-on-exit keeps the pane to read it). */
  exitStatus(): Promise<number | null>;
  /** Waits for the program to exit; throws on timeout. */
  waitForExit(timeoutMs: number): Promise<number>;
  /** Kills the tmux server of this session (and with it the program). Safe to call twice. */
  kill(): Promise<void>;
}

async function tmux(socket: string, args: string[], timeoutMs = 10_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(TMUX, ["-L", socket, ...args], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`tmux ${args[0] ?? ""} failed on socket ${socket}: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Starts `command` in a new detached tmux session of columns × rows on a private server. */
export async function startTmux(o: TmuxOptions): Promise<TmuxSession> {
  const socket = `bgt-tui-${randomBytes(4).toString("hex")}`;
  // `env -u X -- K=V … cmd`: the pane's environment exactly as asked, without a shell in between.
  const envArgs = ["-u", "TMUX", ...(o.unsetEnv ?? []).flatMap((k) => ["-u", k]), ...Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`)];
  const program = ["env", ...envArgs, "TERM=xterm-256color", ...o.command];
  // A config-free server (-f /dev/null) so a user's ~/.tmux.conf cannot change sizes or keys.
  // remain-on-exit is set before the program starts, so even a fast exit leaves its status to read.
  await tmux(socket, ["-f", "/dev/null", "set-option", "-g", "remain-on-exit", "on", ";", "new-session", "-d", "-s", "tui", "-x", String(o.columns), "-y", String(o.rows), "-c", o.cwd, ...program]);
  let killed = false;
  const session: TmuxSession = {
    socket,
    async sendKeys(keys, opts) {
      await tmux(socket, ["send-keys", "-t", "tui", ...(opts?.literal ? ["-l"] : []), ...keys]);
    },
    async capture(opts) {
      return (await tmux(socket, ["capture-pane", "-p", ...(opts?.escapes ? ["-e"] : []), "-t", "tui"])).replace(/\n$/, "");
    },
    async waitFor(pattern, timeoutMs, opts) {
      const deadline = Date.now() + timeoutMs;
      let screen = "";
      // Bounded in time and in count (150 ms steps).
      for (let i = 0; i < Math.ceil(timeoutMs / 150) + 1 && Date.now() <= deadline; i++) {
        try {
          screen = await session.capture(opts);
        } catch (err) {
          screen = `(capture failed: ${(err as Error).message})`;
        }
        if (pattern.test(screen)) return screen;
        await sleep(150);
      }
      throw new Error(`waited ${timeoutMs} ms for ${String(pattern)} on the tmux screen; it shows:\n${screen}`);
    },
    async pid() {
      const out = await tmux(socket, ["display-message", "-p", "-t", "tui", "#{pane_pid}"]);
      return Number(out.trim());
    },
    async exitStatus() {
      const out = await tmux(socket, ["display-message", "-p", "-t", "tui", "#{pane_dead}:#{pane_dead_status}"]);
      const [dead, status] = out.trim().split(":");
      // tmux may see the pane's end (pty closed) before it has reaped the process: no status yet.
      return dead === "1" && status !== undefined && /^\d+$/.test(status) ? Number(status) : null;
    },
    async waitForExit(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (let i = 0; i < Math.ceil(timeoutMs / 150) + 1 && Date.now() <= deadline; i++) {
        const status = await session.exitStatus();
        if (status !== null) return status;
        await sleep(150);
      }
      throw new Error(`the program in tmux session ${socket} did not exit within ${timeoutMs} ms; screen:\n${await session.capture()}`);
    },
    async kill() {
      if (killed) return;
      killed = true;
      await tmux(socket, ["kill-server"]).catch(() => undefined);
      // tmux leaves the socket file of a killed server behind.
      await rm(path.join(process.env.TMUX_TMPDIR ?? "/tmp", `tmux-${process.getuid?.() ?? 0}`, socket), { force: true }).catch(() => undefined);
    },
  };
  return session;
}

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat. */
export async function cpuTimeMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 (1-based) of the whole line: 11 and 12 after ")".
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hz = 100; // USER_HZ is 100 on Linux x86_64/arm64.
  return (ticks * 1000) / hz;
}
