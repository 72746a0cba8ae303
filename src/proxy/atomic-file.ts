import { readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { syncDir, writeFileAtomic as writeAtomic } from "../fs/atomic-write.js";

/** The include file a proxy reads: written atomically (see src/fs/atomic-write.ts), its directory created. */
export function writeFileAtomic(path: string, content: string): Promise<void> {
  return writeAtomic(path, content, { createDir: true });
}

/** The file's content, or null when it does not exist. */
export async function readFileOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Put a file back as it was: the old content, or absent. */
export async function restoreFile(path: string, previous: string | null): Promise<void> {
  if (previous === null) {
    await rm(path, { force: true });
    await syncDir(dirname(path));
  } else {
    await writeFileAtomic(path, previous);
  }
}
