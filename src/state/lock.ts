/**
 * One lock per stack, so two operators (or an operator and CI) never deploy at once.
 *
 * The atomic part is proper-lockfile's mkdir of `<stateDir>/lock`, refreshed every few seconds while
 * held. Next to it, `lock.json` says who holds it. proper-lockfile would silently take over a lock
 * whose refresh stopped; we disable that (a very long `stale`) and decide staleness ourselves from
 * the holder's pid, so an abandoned lock is *reported* and only `breakStaleLock` removes it.
 */
import * as nodeFs from "node:fs";
import { chmod, rmdir, stat, unlink } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import * as z from "zod";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { readFileNoFollow } from "../fs/no-follow.js";
import { DIR_MODE, ensureStateDir, FILE_MODE, LOCK_DETAILS_FILE, LOCK_DIR, refuseSymlink } from "./files.js";

export interface LockDetails {
  pid: number;
  host: string;
  user: string;
  /** The command line that took the lock, e.g. "deploy --version v2". */
  command: string;
  /** ISO 8601. */
  startedAt: string;
}

export interface LockStatus {
  /** Who holds it; null when the holder wrote no details (crashed while taking it, or taking it right now). */
  details: LockDetails | null;
  /** True when the holder is known to be gone; only then may breakStaleLock remove it. */
  stale: boolean;
  /** Why it is considered stale (or null). */
  staleReason: string | null;
  /** Last refresh of the lock by its holder. */
  refreshedAt: Date;
}

export interface Lock {
  readonly details: LockDetails;
  /** Set when the lock was lost while held (removed or changed by someone else); the holder should stop. */
  readonly compromised: Error | null;
  release(): Promise<void>;
}

/** How the operator removes an abandoned lock; shown in messages. */
export const BREAK_STALE_HINT = "bluegreen resolve";

/** The holder refreshes the lock's mtime this often. */
const REFRESH_MS = 5_000;
/** A lock not refreshed for this long has lost its holder (used when its pid cannot be checked). */
export const STALE_AFTER_MS = 60_000;
/** A lock without details younger than this is being taken right now. */
const DETAILS_GRACE_MS = 10_000;
/**
 * proper-lockfile's mkdir uses the default mode (0777 & ~umask): under umask 000 the lock dir would
 * be world-writable until our chmod. Create it owner-writable from the start.
 */
const lockFs = { ...nodeFs, mkdir: (path: string, callback: (err: NodeJS.ErrnoException | null) => void) => nodeFs.mkdir(path, DIR_MODE, callback) };

/** Never let proper-lockfile take over a lock by itself. */
const NEVER_TAKE_OVER_MS = 10 * 365 * 24 * 3_600_000;

const detailsSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  user: z.string(),
  command: z.string(),
  startedAt: z.string(),
});

export class LockHeldError extends Error {
  override readonly name = "LockHeldError";
  constructor(
    readonly stateDir: string,
    readonly status: LockStatus,
    intro = "the stack is locked",
  ) {
    super(`${intro}: ${describeHolder(status)}. Nothing was changed. ${nextStep(status)}`);
  }
}

/** Details of this process, for acquireLock. */
export function currentLockDetails(command: string, now: Date = new Date()): LockDetails {
  return { pid: process.pid, host: hostname(), user: currentUser(), command, startedAt: now.toISOString() };
}

/**
 * Takes the stack's lock or throws LockHeldError naming the holder (and whether it is stale).
 * `details` defaults everything but the command to this process.
 */
export async function acquireLock(stateDir: string, details: Partial<LockDetails> & { command: string }): Promise<Lock> {
  return takeLock(stateDir, details, 1);
}

async function takeLock(stateDir: string, details: Partial<LockDetails> & { command: string }, retriesLeft: number): Promise<Lock> {
  await ensureStateDir(stateDir);
  const lockDir = join(stateDir, LOCK_DIR);
  const detailsPath = join(stateDir, LOCK_DETAILS_FILE);
  await refuseSymlink(lockDir);
  await refuseSymlink(detailsPath);
  const full: LockDetails = { ...currentLockDetails(details.command), ...details };

  let compromised: Error | null = null;
  let releaseDir: () => Promise<void>;
  try {
    releaseDir = await lockfile.lock(stateDir, {
      lockfilePath: lockDir,
      realpath: false,
      stale: NEVER_TAKE_OVER_MS,
      fs: lockFs,
      update: REFRESH_MS,
      retries: 0,
      // The default throws from a timer and kills the process; record it for the holder to check.
      onCompromised: (err: Error) => {
        compromised = new Error(
          `the lock ${lockDir} was removed or changed by someone else while this bluegreen held it (${err.message}); ` +
            "another bluegreen may now be changing the stack. Stop, check `bluegreen status`, and run again.",
        );
      },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw err;
    const status = await readLock(stateDir);
    if (status === null && retriesLeft > 0) {
      // Released between our attempt and the read: one more try settles it.
      return takeLock(stateDir, details, retriesLeft - 1);
    }
    if (status === null) throw new Error(`the lock ${lockDir} keeps appearing and disappearing; another bluegreen is busy with this stack. Nothing was changed; run again in a moment.`);
    throw new LockHeldError(stateDir, status);
  }

  try {
    await chmod(lockDir, DIR_MODE);
    await writeFileAtomic(detailsPath, `${JSON.stringify(full, null, 2)}\n`, { mode: FILE_MODE });
  } catch (err) {
    await releaseDir().catch(() => undefined);
    throw err;
  }

  let released = false;
  return {
    details: full,
    get compromised() {
      return compromised;
    },
    async release() {
      if (released) return;
      released = true;
      await unlink(detailsPath).catch(ignoreMissing);
      await releaseDir().catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ERELEASED") throw err;
      });
    },
  };
}

/** The lock's holder and whether it is stale, or null when the stack is not locked. */
export async function readLock(stateDir: string, now: Date = new Date()): Promise<LockStatus | null> {
  const lockDir = join(stateDir, LOCK_DIR);
  let refreshedAt: Date;
  try {
    refreshedAt = (await stat(lockDir)).mtime;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const details = await readDetails(join(stateDir, LOCK_DETAILS_FILE));
  const ageMs = now.getTime() - refreshedAt.getTime();
  const staleReason = whyStale(details, ageMs);
  return { details, stale: staleReason !== null, staleReason, refreshedAt };
}

/**
 * Removes a stale lock. Refuses (LockHeldError) when the holder may still be running.
 * Returns what was removed, or null when there was no lock.
 */
export async function breakStaleLock(stateDir: string): Promise<LockStatus | null> {
  const lockDir = join(stateDir, LOCK_DIR);
  await refuseSymlink(lockDir);
  const status = await readLock(stateDir);
  if (status === null) return null;
  if (!status.stale) throw new LockHeldError(stateDir, status, "refusing to break the lock, its holder may still be running");
  // Only remove the very lock we judged stale, not one taken since by a live process.
  const current = await stat(lockDir).catch(() => null);
  if (current === null) return status;
  if (current.mtime.getTime() !== status.refreshedAt.getTime()) {
    const fresh = await readLock(stateDir);
    if (fresh !== null && !fresh.stale) throw new LockHeldError(stateDir, fresh, "the lock was taken again while breaking it");
  }
  await unlink(join(stateDir, LOCK_DETAILS_FILE)).catch(ignoreMissing);
  await rmdir(lockDir).catch(ignoreMissing);
  return status;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function whyStale(details: LockDetails | null, ageMs: number): string | null {
  if (details === null) {
    return ageMs > DETAILS_GRACE_MS ? `no holder details and not refreshed for ${Math.round(ageMs / 1000)}s` : null;
  }
  if (details.host === hostname()) {
    return isProcessAlive(details.pid) ? null : `process ${details.pid} is no longer running on ${details.host}`;
  }
  // Another host (shared state dir): its pid means nothing here, the refresh is the only sign of life.
  return ageMs > STALE_AFTER_MS ? `not refreshed by ${details.host} for ${Math.round(ageMs / 1000)}s` : null;
}

async function readDetails(path: string): Promise<LockDetails | null> {
  try {
    const text = await readFileNoFollow(path);
    if (text === null) return null;
    const parsed = detailsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
}

function describeHolder(status: LockStatus): string {
  const { details } = status;
  if (details === null) {
    return `held by an unknown process (no ${LOCK_DETAILS_FILE}; last refreshed ${clock(status.refreshedAt)})${status.stale ? `, stale: ${status.staleReason}` : ""}`;
  }
  const since = new Date(details.startedAt);
  const when = Number.isNaN(since.getTime()) ? details.startedAt : clock(since);
  const holder = `locked by ${details.user}@${details.host} (pid ${details.pid}) running \`${details.command}\` since ${when}`;
  return status.stale ? `${holder}; the lock is stale: ${status.staleReason}` : holder;
}

function nextStep(status: LockStatus): string {
  if (status.stale) {
    return `If no bluegreen is running for this stack, \`${BREAK_STALE_HINT}\` removes the stale lock (it asks first); then run again.`;
  }
  return "Wait for it to finish (watch it with `bluegreen status`), or ask its owner; run again afterwards.";
}

function clock(date: Date): string {
  return date.toTimeString().slice(0, 8);
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (e.g. an arbitrary uid in a container).
    return process.env.USER ?? `uid ${process.getuid?.() ?? "?"}`;
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== "ENOENT") throw err;
}
