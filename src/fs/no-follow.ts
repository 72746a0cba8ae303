/**
 * Opening bluegreen's own files without following a symbolic link at the last path component
 * (O_NOFOLLOW): whoever can swap a file for a link cannot redirect a read or an append to another
 * file, not even between a check and the open. (Writes replace files by rename, which replaces a
 * link itself rather than writing through it: see atomic-write.ts.)
 */
import { constants, lstat, open, type FileHandle } from "node:fs/promises";

/** Thrown when one of bluegreen's paths is a symlink: following it could touch any file the user can write. */
export class SymlinkRefusedError extends Error {
  override readonly name = "SymlinkRefusedError";
  constructor(readonly path: string) {
    super(
      `${path} is a symbolic link; bluegreen refuses to read or write its state and run files through links (they could redirect writes to other files). ` +
        `Nothing was changed. Replace it with a regular file or directory (or remove it) and run again.`,
    );
  }
}

/** Opens `path` with `flags` (fs.constants O_*) plus O_NOFOLLOW; a link there throws SymlinkRefusedError. */
export async function openNoFollow(path: string, flags: number, mode?: number): Promise<FileHandle> {
  try {
    return await open(path, flags | constants.O_NOFOLLOW, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOOP") throw new SymlinkRefusedError(path);
    throw err;
  }
}

/** The file's text, or null when it does not exist; a link there throws SymlinkRefusedError. */
export async function readFileNoFollow(path: string): Promise<string | null> {
  let handle: FileHandle;
  try {
    handle = await openNoFollow(path, constants.O_RDONLY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

/** Throws SymlinkRefusedError when `path` is a symlink; a missing path is fine. For directories, which cannot be opened O_NOFOLLOW for our purposes. */
export async function refuseSymlink(path: string): Promise<void> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) throw new SymlinkRefusedError(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
