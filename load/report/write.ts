import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { VerifyResult } from "../types.js";
import { toJson } from "./json.js";
import { toJunit } from "./junit.js";
import { toMarkdown } from "./markdown.js";
import { createMasker } from "../../src/security/index.js";
import { syncDir, writeFileAtomic } from "../../src/fs/atomic-write.js";

export interface ReportPaths {
  json: string;
  junit: string;
  markdown: string;
}


/**
 * Writes `<basename>.json`, `<basename>.junit.xml` and `<basename>.md` into `dir` (created if missing).
 * `secretsEnv` (the config's env) adds secrets to those of the process environment.
 */
export async function writeReports(result: VerifyResult, dir: string, basename: string, secretsEnv: Readonly<Record<string, string>> = {}): Promise<ReportPaths> {
  await mkdir(dir, { recursive: true });
  const paths: ReportPaths = {
    json: join(dir, `${basename}.json`),
    junit: join(dir, `${basename}.junit.xml`),
    markdown: join(dir, `${basename}.md`),
  };
  // Reports get archived by CI: secret values of the environment never go into them.
  const mask = createMasker(process.env, secretsEnv).text;
  await writeFileAtomic(paths.json, mask(toJson(result)));
  await writeFileAtomic(paths.junit, mask(toJunit(result)));
  await writeFileAtomic(paths.markdown, mask(toMarkdown(result)));
  await syncDir(dir);
  return paths;
}
