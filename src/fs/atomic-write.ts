import { randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Every file bluegreen writes (state, lock details, proxy include files, reports) is written so that
 * a reader sees the old content or the new one, never half of it, and a crash leaves the old one:
 * a temp file in the same directory, fsync, rename, fsync the directory. The temp name starts with a
 * dot and ends in `.tmp`, so include globs such as nginx's `live.con[f]` never pick it up.
 */
export async function writeFileAtomic(path: string, content: string, opts: { mode?: number; createDir?: boolean } = {}): Promise<void> {
  const dir = dirname(path);
  if (opts.createDir) await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  // "wx": never follow or reuse something already sitting at the temp path.
  const handle = await open(temp, "wx", opts.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(content, "utf8");
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
