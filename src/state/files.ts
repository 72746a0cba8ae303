/** File names in the state directory, and the safe ways bluegreen writes them. */
import { lstat, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { syncDir, writeFileAtomic as writeAtomic } from "../fs/atomic-write.js";

export const STATE_FILE = "state.json";
export const LOCK_DIR = "lock";
export const LOCK_DETAILS_FILE = "lock.json";
export const HISTORY_FILE = "history.jsonl";

/** Files are writable by their owner only. */
export const FILE_MODE = 0o644;
export const DIR_MODE = 0o755;

/** Thrown when a state path is a symlink: following it could overwrite any file the user can write. */
export class SymlinkRefusedError extends Error {
  override readonly name = "SymlinkRefusedError";
  constructor(readonly path: string) {
    super(
      `${path} is a symbolic link; bluegreen refuses to read or write state through links (they could redirect writes to other files). ` +
        `Nothing was changed. Replace it with a regular file (or remove it) and run again.`,
    );
  }
}

/** Throws SymlinkRefusedError when `path` is a symlink; a missing path is fine. */
export async function refuseSymlink(path: string): Promise<void> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) throw new SymlinkRefusedError(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/**
 * Creates the state directory when missing. A symlinked state directory is refused like a symlinked
 * file: whoever controls the link target controls the state, lock and history (and could swap the
 * files in it for links between our check and our write).
 */
export async function ensureStateDir(stateDir: string): Promise<void> {
  await refuseSymlink(stateDir);
  await mkdir(stateDir, { recursive: true, mode: DIR_MODE });
}

/** Throws SymlinkRefusedError when the state directory or any file bluegreen keeps in it is a symlink. */
export async function refuseSymlinkedStatePaths(stateDir: string): Promise<void> {
  await refuseSymlink(stateDir);
  for (const name of [STATE_FILE, LOCK_DIR, LOCK_DETAILS_FILE, HISTORY_FILE]) await refuseSymlink(join(stateDir, name));
}

/**
 * Replaces `path` with `data` so that readers see the old or the new content, never a mix, even
 * after a crash: write a temp file in the same directory, fsync it, rename over, fsync the directory.
 */
export async function writeFileAtomic(path: string, data: string, mode = FILE_MODE): Promise<void> {
  await refuseSymlink(path);
  await writeAtomic(path, data, { mode });
}

/** fsync a directory so a rename or a new entry in it survives a crash. */
export { syncDir };
