import { randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { refuseSymlink } from "./no-follow.js";

export interface AtomicWriteOptions {
  /** The file's mode, set exactly whatever the umask (default 0o644). */
  mode?: number;
  /** Create the directory (and its parents) when missing, with `dirMode` (default: the umask's). */
  createDir?: boolean;
  dirMode?: number;
}

/**
 * The one way bluegreen writes a file (state, lock details, history is appended instead, proxy
 * include and state files, reports): a reader sees the old content or the new one, never half of
 * it, and a crash leaves the old one — a temp file in the same directory, fsync, rename, fsync the
 * directory. A symlink at `path` is refused (SymlinkRefusedError): the rename would replace the
 * link, which is never what the operator who made it meant. The temp name starts with a dot and
 * ends in `.tmp`, so include globs such as nginx's `live.con[f]` never pick it up.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  if (opts.createDir) await mkdir(dir, { recursive: true, ...(opts.dirMode === undefined ? {} : { mode: opts.dirMode }) });
  await refuseSymlink(path);
  const mode = opts.mode ?? 0o644;
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  // "wx": never follow or reuse something already sitting at the temp path.
  const handle = await open(temp, "wx", mode);
  try {
    try {
      // open's mode is filtered by the umask: set it exactly.
      await handle.chmod(mode);
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

/** Makes a rename in `dir` durable. Some filesystems refuse fsync on a directory: the rename is still atomic. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "EISDIR" && code !== "ENOTSUP") throw err;
  } finally {
    await handle.close();
  }
}

/** Puts a file back as it was: `previous` content, or absent when null (after a rejected change). */
export async function restoreFile(path: string, previous: string | null, opts: AtomicWriteOptions = {}): Promise<void> {
  if (previous === null) {
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
    await syncDir(dirname(path));
  } else {
    await writeFileAtomic(path, previous, opts);
  }
}

