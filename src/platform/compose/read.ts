/**
 * Reads a compose project from disk (the only file-system side of this module) and asks compose
 * itself to validate a set of files when a compose binary is there. Planning works on the text as
 * written, so `${VAR}` references and relative paths survive into the files bluegreen generates;
 * `docker-compose config` is the authority on whether a file set is valid after interpolation.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseComposeProject } from "./parse.js";
import type { ComposeProject } from "./types.js";
import { ComposeReadError } from "./types.js";

/** compose's own lookup order when no -f is given. */
export const DEFAULT_COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];
const OVERRIDES = ["compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml", "docker-compose.override.yml"];

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** The user's compose files in `dir`: the given -f list, or compose's default file (+ its override). */
export async function findComposeFiles(dir: string, given: string[] = []): Promise<string[]> {
  if (given.length > 0) return given;
  for (const name of DEFAULT_COMPOSE_FILES) {
    if ((await readText(join(dir, name))) === null) continue;
    const files = [name];
    for (const override of OVERRIDES) if ((await readText(join(dir, override))) !== null) files.push(override);
    return files;
  }
  throw new ComposeReadError(dir, `has no compose file (looked for ${DEFAULT_COMPOSE_FILES.join(", ")}); run bluegreen init in your compose project's directory or pass -f FILE`);
}

export async function readComposeProject(dir: string, files: string[]): Promise<ComposeProject> {
  const sources: { file: string; text: string }[] = [];
  for (const file of files) {
    const text = await readText(join(dir, file));
    if (text === null) throw new ComposeReadError(file, "does not exist");
    sources.push({ file, text });
  }
  return parseComposeProject(sources);
}

export interface ComposeValidation {
  /** null when no compose binary could be run: the files were not validated by compose. */
  ok: boolean | null;
  message: string;
}

/**
 * `docker-compose -f … config -q` (v1) or `docker compose … config -q` (v2): compose's own verdict on
 * the files after interpolation and merging. `env` is what bluegreen would pass (BG_STACK, the version).
 */
export async function validateWithCompose(dir: string, files: string[], env: Record<string, string>): Promise<ComposeValidation> {
  const args = [...files.flatMap((f) => ["-f", f]), "config", "-q"];
  const attempts: [string, string[]][] = [
    ["docker-compose", args],
    ["docker", ["compose", ...args]],
  ];
  for (const [cmd, argv] of attempts) {
    const result = await run(cmd, argv, dir, env);
    if (result === "missing") continue;
    return result.code === 0 ? { ok: true, message: "" } : { ok: false, message: result.stderr.trim() || `exit ${result.code}` };
  }
  return { ok: null, message: "no docker-compose or docker compose found; the files were not validated by compose" };
}

function run(cmd: string, argv: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; stderr: string } | "missing"> {
  return new Promise((resolve) => {
    execFile(cmd, argv, { cwd, env: { ...process.env, ...env }, timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === "ENOENT") return resolve("missing");
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stderr: String(stderr) });
    });
  });
}
