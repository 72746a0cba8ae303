import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "../../..");

export async function tempStateDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const base = await mkdtemp(join(tmpdir(), "bg-state-"));
  return { dir: join(base, ".bluegreen"), cleanup: () => rm(base, { recursive: true, force: true }) };
}

/**
 * Starts a separate node process that takes the lock with the real acquireLock (run through
 * vite-node, which vitest ships) and resolves once it holds it.
 */
export async function childHoldingLock(stateDir: string): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, [join(REPO, "node_modules/vite-node/vite-node.mjs"), "test/unit/state/fixtures/hold-lock.ts", stateDir], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolveLocked, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child did not take the lock within 30 s; output: ${output}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/locked \d+/.test(output)) {
        clearTimeout(timer);
        resolveLocked();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before taking the lock: ${output}`));
    });
  });
  if (child.pid === undefined) throw new Error("child has no pid");
  return child as ChildProcess & { pid: number };
}

export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill(signal);
  await exited;
}
