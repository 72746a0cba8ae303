/** File names in the state directory, their modes, and the checks bluegreen makes before using them. */
import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { refuseSymlink, SymlinkRefusedError } from "../fs/no-follow.js";

export const STATE_FILE = "state.json";
export const LOCK_DIR = "lock";
export const LOCK_DETAILS_FILE = "lock.json";
export const HISTORY_FILE = "history.jsonl";

/** State, lock and history are the owner's only: readable and writable by nobody else, whatever the umask. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export { refuseSymlink, SymlinkRefusedError };

/**
 * Creates the state directory when missing, owner-only; an existing one that others can enter is
 * made owner-only too. A symlinked state directory is refused like a symlinked file: whoever
 * controls the link target controls the state, lock and history (and could swap the files in it
 * for links between our check and our write).
 */
export async function ensureStateDir(stateDir: string): Promise<void> {
  await refuseSymlink(stateDir);
  await mkdir(stateDir, { recursive: true, mode: DIR_MODE });
  await chmod(stateDir, DIR_MODE);
}

/** Throws SymlinkRefusedError when the state directory or any file bluegreen keeps in it is a symlink. */
export async function refuseSymlinkedStatePaths(stateDir: string): Promise<void> {
  await refuseSymlink(stateDir);
  for (const name of [STATE_FILE, LOCK_DIR, LOCK_DETAILS_FILE, HISTORY_FILE]) await refuseSymlink(join(stateDir, name));
}
