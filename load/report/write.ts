import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { VerifyResult } from "../types.js";
import { toJson } from "./json.js";
import { toJunit } from "./junit.js";
import { toMarkdown } from "./markdown.js";
import { createMasker } from "../../src/security/index.js";

export interface ReportPaths {
  json: string;
  junit: string;
  markdown: string;
}

/** temp + fsync + rename: a reader never sees half a report, a crash leaves the old one. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temp, "w", 0o644);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the renames are still atomic
  } finally {
    await handle.close();
  }
}

/** Writes `<basename>.json`, `<basename>.junit.xml` and `<basename>.md` into `dir` (created if missing). */
export async function writeReports(result: VerifyResult, dir: string, basename: string): Promise<ReportPaths> {
  await mkdir(dir, { recursive: true });
  const paths: ReportPaths = {
    json: join(dir, `${basename}.json`),
    junit: join(dir, `${basename}.junit.xml`),
    markdown: join(dir, `${basename}.md`),
  };
  // Reports get archived by CI: secret values of the environment never go into them.
  const mask = createMasker(process.env).text;
  await writeFileAtomic(paths.json, mask(toJson(result)));
  await writeFileAtomic(paths.junit, mask(toJunit(result)));
  await writeFileAtomic(paths.markdown, mask(toMarkdown(result)));
  await syncDir(dir);
  return paths;
}
