/**
 * bluegreen's per-user cache directory ($XDG_CACHE_HOME/bluegreen or ~/.cache/bluegreen), for what
 * makes a command start faster: the CLI bundle's compiled code (src/launch) and validated configs
 * (src/config/cache.ts). Both are trusted only as far as the user's own files: the directory must
 * be the user's and writable by nobody else, a file is opened without following a link and must be
 * the user's and writable by nobody else. An entry that fails any of that is ignored, never an
 * error: a cache only ever saves time. BLUEGREEN_CACHE=off turns both off.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { ensurePrivateDir } from "./private-dir.js";

/** The cache directory, or null with BLUEGREEN_CACHE=off or without an absolute home. */
export function userCacheDir(env: NodeJS.ProcessEnv): string | null {
  if (env.BLUEGREEN_CACHE === "off") return null;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && xdg.startsWith("/")) return join(xdg, "bluegreen");
  const home = env.HOME;
  return home && home.startsWith("/") ? join(home, ".cache", "bluegreen") : null;
}

/** The bytes of `dir`/`name`, or undefined when it is missing or others could have written it. */
export function readUserCache(dir: string, name: string): Buffer | undefined {
  const uid = process.getuid?.();
  try {
    const d = lstatSync(dir);
    if (!d.isDirectory() || (uid !== undefined && d.uid !== uid) || (d.mode & 0o022) !== 0) return undefined;
    const fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const f = fstatSync(fd);
      if (!f.isFile() || (uid !== undefined && f.uid !== uid) || (f.mode & 0o022) !== 0) return undefined;
      return readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Writes `dir`/`name` (0600) in the private directory; false when it could not (read-only or foreign home). */
export async function writeUserCache(dir: string, name: string, data: string | Uint8Array): Promise<boolean> {
  try {
    await ensurePrivateDir(dir, { what: "the cache directory" });
    await writeFileAtomic(join(dir, name), data, { mode: 0o600 });
    return true;
  } catch {
    return false;
  }
}
