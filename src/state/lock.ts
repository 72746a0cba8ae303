/**
 * One lock per stack, so two operators (or an operator and CI) never deploy at once.
 *
 * It is keyed by the stack's name and the Docker endpoint it runs on, in a host-wide directory
 * (lockDirFor), not by the config's state directory: two checkouts of one stack on one host exclude
 * each other.
 *
 * The atomic part is proper-lockfile's mkdir of `<dir>/lock`, refreshed every few seconds while
 * held. Next to it, `lock.json` says who holds it. proper-lockfile would silently take over a lock
 * whose refresh stopped; we disable that (a very long `stale`) and decide staleness ourselves from
 * the holder's pid, so an abandoned lock is *reported* and only `breakStaleLock` removes it.
 */
import { createHash } from "node:crypto";
import * as nodeFs from "node:fs";
import { chmod, lstat, mkdir, rmdir, stat, unlink, utimes } from "node:fs/promises";
import { hostname, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import * as z from "zod";
import { canonicalDockerHost, resolveDockerHost } from "../docker/engine-api.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { readFileNoFollow } from "../fs/no-follow.js";
import { LOCK_DETAILS_FILE, LOCK_DIR, refuseSymlink } from "./files.js";

export interface LockDetails {
  pid: number;
  host: string;
  user: string;
  /** The command line that took the lock, e.g. "deploy --version v2". */
  command: string;
  /** ISO 8601. */
  startedAt: string;
  /** The config file of the holder: with a host-wide lock, it tells two checkouts of one stack apart. */
  config?: string;
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
  /** The stale lock this one replaced (takeOverStale), or null. */
  readonly tookOver: LockStatus | null;
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  /**
   * When the lock is stale (its holder is gone), replace it with this one in one step: the lock
   * directory never disappears in between, so no other process can take it meanwhile.
   */
  takeOverStale?: boolean;
  /** Called once when the lock is lost while held (proper-lockfile's onCompromised). */
  onLost?: (reason: Error) => void;
  /** How often the holder refreshes the lock (default 5 s); tests shorten it. */
  refreshMs?: number;
}

/** How the operator removes an abandoned lock; shown in messages. */
export const BREAK_STALE_HINT = "bluegreen resolve";

/** The holder refreshes the lock's mtime this often. */
const REFRESH_MS = 5_000;
/** A lock not refreshed for this long has lost its holder (used when its pid cannot be checked). */
export const STALE_AFTER_MS = 60_000;
/** A lock without details younger than this is being taken right now. */
const DETAILS_GRACE_MS = 10_000;
/** Inside a stale lock: the one process taking it over holds this (mkdir is atomic). */
const TAKEOVER_DIR = "takeover";
/** A takeover left behind by a process that died in the middle of it (it takes milliseconds). */
const TAKEOVER_STALE_MS = 10_000;
/** Lock directories are the user's only: another local user must not remove or fake a holder. */
const LOCKS_MODE = 0o700;
const LOCK_FILE_MODE = 0o600;
/**
 * proper-lockfile's mkdir uses the default mode (0777 & ~umask): under umask 000 the lock dir would
 * be world-writable until our chmod. Create it owner-writable from the start.
 */
const lockFs = { ...nodeFs, mkdir: (path: string, callback: (err: NodeJS.ErrnoException | null) => void) => nodeFs.mkdir(path, LOCKS_MODE, callback) };

/** Never let proper-lockfile take over a lock by itself. */
const NEVER_TAKE_OVER_MS = 10 * 365 * 24 * 3_600_000;

const detailsSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  user: z.string(),
  command: z.string(),
  startedAt: z.string(),
  config: z.string().optional(),
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
 * The Docker endpoint a stack's containers live on, one spelling per endpoint: the config's
 * docker.host when set, else DOCKER_HOST, else the default socket (resolveDockerHost, as the Docker
 * adapters resolve it), normalized by canonicalDockerHost.
 */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env, configHost: string | null = null): string {
  return canonicalDockerHost(resolveDockerHost(configHost, env));
}

/**
 * Where this host keeps its bluegreen locks: $BLUEGREEN_LOCK_DIR when set, /run/bluegreen/locks for
 * root, $XDG_RUNTIME_DIR/bluegreen/locks, else <tmpdir>/bluegreen-locks-<uid>.
 */
export function locksRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BLUEGREEN_LOCK_DIR) return env.BLUEGREEN_LOCK_DIR;
  const uid = process.getuid?.() ?? -1;
  if (uid === 0) return "/run/bluegreen/locks";
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "bluegreen", "locks");
  return join(tmpdir(), `bluegreen-locks-${uid}`);
}

/**
 * The lock directory of one stack on one Docker endpoint (the same for every checkout of it on this
 * host). `configHost` is the config's docker.host: it wins over DOCKER_HOST, as it does for Docker.
 */
export function lockDirFor(stack: string, env: NodeJS.ProcessEnv = process.env, configHost: string | null = null): string {
  const endpoint = createHash("sha256").update(dockerEndpoint(env, configHost)).digest("hex").slice(0, 12);
  return join(locksRoot(env), `${stack}@${endpoint}`);
}

/**
 * Creates a lock directory owner-only, whatever the umask, and refuses one that is a symlink or
 * belongs to another user (in a shared tmpdir, someone could have made it first).
 */
async function ensureLockDir(dir: string): Promise<void> {
  await refuseSymlink(dir);
  await mkdir(dir, { recursive: true, mode: LOCKS_MODE });
  const info = await lstat(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new Error(`the lock directory ${dir} belongs to uid ${info.uid}, not to this user (uid ${uid}); bluegreen refuses to use it. Nothing was changed. Remove it, or set BLUEGREEN_LOCK_DIR to a directory of your own.`);
  }
  if ((info.mode & 0o777) !== LOCKS_MODE) await chmod(dir, LOCKS_MODE);
}

/**
 * Takes the stack's lock or throws LockHeldError naming the holder (and whether it is stale).
 * `details` defaults everything but the command to this process.
 */
export async function acquireLock(stateDir: string, details: Partial<LockDetails> & { command: string }, opts: AcquireLockOptions = {}): Promise<Lock> {
  return takeLock(stateDir, details, opts, 1);
}

/**
 * Inside proper-lockfile's mkdir: when the lock exists and is stale, make it ours without ever
 * removing it. Only one process can create `<lock>/takeover`; it re-checks that the holder is the
 * stale one it judged, writes itself as the holder, refreshes the mtime, and removes `takeover`.
 * Resolves true when the lock is now ours.
 */
async function takeOverStale(stateDir: string, full: LockDetails): Promise<LockStatus | null> {
  const lockDir = join(stateDir, LOCK_DIR);
  const judged = await readLock(stateDir);
  if (judged === null || !judged.stale) return null;
  const guard = join(lockDir, TAKEOVER_DIR);
  try {
    await mkdir(guard, LOCKS_MODE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null; // released meanwhile: the caller's next plain attempt settles it
    if (code !== "EEXIST") throw err;
    // Another process is taking it over, or died doing so long ago.
    const left = await stat(guard).catch(() => null);
    if (left === null || Date.now() - left.mtime.getTime() < TAKEOVER_STALE_MS) return null;
    await rmdir(guard).catch(() => undefined);
    return null;
  }
  try {
    const now = await readDetails(join(stateDir, LOCK_DETAILS_FILE));
    if (JSON.stringify(now) !== JSON.stringify(judged.details)) return null;
    await writeFileAtomic(join(stateDir, LOCK_DETAILS_FILE), `${JSON.stringify(full, null, 2)}\n`, { mode: LOCK_FILE_MODE });
    const t = new Date();
    await utimes(lockDir, t, t);
    return judged;
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}

async function takeLock(stateDir: string, details: Partial<LockDetails> & { command: string }, opts: AcquireLockOptions, retriesLeft: number): Promise<Lock> {
  await ensureLockDir(stateDir);
  const lockDir = join(stateDir, LOCK_DIR);
  const detailsPath = join(stateDir, LOCK_DETAILS_FILE);
  await refuseSymlink(lockDir);
  await refuseSymlink(detailsPath);
  const full: LockDetails = { ...currentLockDetails(details.command), ...details };

  let compromised: Error | null = null;
  let tookOver: LockStatus | null = null;
  // With takeOverStale, an existing stale lock becomes ours inside the "mkdir" proper-lockfile calls.
  const fs = opts.takeOverStale
    ? {
        ...lockFs,
        mkdir: (path: string, callback: (err: NodeJS.ErrnoException | null) => void) =>
          lockFs.mkdir(path, (err) => {
            if (err?.code !== "EEXIST") return callback(err);
            takeOverStale(stateDir, full).then(
              (taken) => {
                tookOver = taken;
                callback(taken ? null : err);
              },
              (e: NodeJS.ErrnoException) => callback(e),
            );
          }),
      }
    : lockFs;
  let releaseDir: () => Promise<void>;
  try {
    releaseDir = await lockfile.lock(stateDir, {
      lockfilePath: lockDir,
      realpath: false,
      stale: NEVER_TAKE_OVER_MS,
      fs,
      update: opts.refreshMs ?? REFRESH_MS,
      retries: 0,
      // The default throws from a timer and kills the process; record it and tell the holder.
      onCompromised: (err: Error) => {
        compromised = new Error(
          `the lock ${lockDir} was removed or changed by someone else while this bluegreen held it (${err.message}); ` +
            "another bluegreen may now be changing the stack. Stop, check `bluegreen status`, and run again.",
        );
        opts.onLost?.(compromised);
      },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw err;
    const status = await readLock(stateDir);
    if (status === null && retriesLeft > 0) {
      // Released between our attempt and the read: one more try settles it.
      return takeLock(stateDir, details, opts, retriesLeft - 1);
    }
    if (status === null) throw new Error(`the lock ${lockDir} keeps appearing and disappearing; another bluegreen is busy with this stack. Nothing was changed; run again in a moment.`);
    throw new LockHeldError(stateDir, status);
  }

  try {
    await chmod(lockDir, LOCKS_MODE);
    await writeFileAtomic(detailsPath, `${JSON.stringify(full, null, 2)}\n`, { mode: LOCK_FILE_MODE });
  } catch (err) {
    await releaseDir().catch(() => undefined);
    throw err;
  }

  let released = false;
  return {
    details: full,
    tookOver,
    get compromised() {
      return compromised;
    },
    async release() {
      if (released) return;
      released = true;
      // A lost lock may be someone else's now: its directory and details are theirs, not ours to remove.
      if (compromised !== null) return;
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
  const holder = `locked by ${details.user}@${details.host} (pid ${details.pid}) running \`${details.command}\` since ${when}${details.config ? ` with ${details.config}` : ""}`;
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
