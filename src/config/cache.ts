/**
 * A validated config, kept for the next command with the same inputs: parsing bluegreen.yml and the
 * three compose files with yaml and validating with zod is ~15–20 ms of a CLI start, a tenth of an
 * urgent rollback. The entry is used only when everything the validation read is unchanged: the
 * text of bluegreen.yml, the value of every environment variable the parser read (recorded as it
 * reads them, unset ones too), the content of the compose files and smoke spec, and the
 * bluegreen build that validated it. Anything else is a miss, and a miss is the full validation.
 *
 * Secrets stay out: a config that read a secret-looking environment variable (or one holding a URL
 * with a password) is never cached, and the entry records digests of variable values, not values.
 * Entries live in the user's private cache directory (src/fs/user-cache.ts). This module imports
 * neither yaml nor zod: a hit never loads them.
 */
import { createHash } from "node:crypto";
import { lstat, readdir, readFile, unlink } from "node:fs/promises";
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readUserCache, writeUserCache } from "../fs/user-cache.js";
import { isSecretName, maskUrlPasswords } from "../security/mask.js";
import { configInputFiles } from "./input-files.js";
import type { Config } from "./types.js";

const FORMAT = 1;
/** Entries kept (~2 KB each); older ones are removed when a new one is written. */
export const MAX_ENTRIES = 64;
/** Marks a parser that listed the whole environment. */
const LISTED = "\0listed";

interface FileStamp {
  path: string;
  /** Digest of the content: a file rewritten within one timestamp tick, at the same size, still differs. */
  sha: string;
}

interface Entry {
  format: number;
  build: string;
  configSha: string;
  /** Variable → digest of its value ("unset" when it was not set). */
  env: Record<string, string>;
  files: (FileStamp | { path: string; missing: true })[];
  config: Config;
}

export interface ConfigCacheOptions {
  /** userCacheDir(env), or null: always validate. */
  dir: string | null;
  cwd?: string;
  /** The full validation (loadConfig), on a miss. */
  load: (file: string, env: NodeJS.ProcessEnv) => Promise<Config>;
}

export type CacheOutcome = "hit" | "miss" | "off" | "uncacheable";

/** loadConfig's result, from the cache when its inputs are unchanged. */
export async function loadConfigCached(file: string, env: NodeJS.ProcessEnv, opts: ConfigCacheOptions): Promise<{ config: Config; cache: CacheOutcome }> {
  if (opts.dir === null) return { config: await opts.load(file, env), cache: "off" };
  const absolute = resolve(opts.cwd ?? process.cwd(), file);
  const text = await readFile(absolute, "utf8").catch(() => null);
  // An unreadable file is the full load's to explain.
  if (text === null) return { config: await opts.load(file, env), cache: "uncacheable" };
  const name = `config-${digest(absolute).slice(0, 24)}.json`;
  const configSha = digest(text);
  const build = buildStamp();

  const cached = parseEntry(readUserCache(opts.dir, name));
  if (cached && cached.build === build && cached.configSha === configSha && envUnchanged(cached.env, env) && (await filesUnchanged(cached.files))) {
    return { config: cached.config, cache: "hit" };
  }

  const read = new Map<string, string | undefined>();
  const config = await opts.load(file, recordingEnv(env, read));
  const secret = [...read].some(([variable, value]) => value !== undefined && value !== "" && (isSecretName(variable) || maskUrlPasswords(value) !== value));
  if (secret || read.has(LISTED)) return { config, cache: "uncacheable" };
  const entry: Entry = {
    format: FORMAT,
    build,
    configSha,
    env: Object.fromEntries([...read].map(([variable, value]) => [variable, valueDigest(value)])),
    files: await Promise.all(configInputFiles(config).map((f) => stampOf(f.absolute))),
    config,
  };
  if (await writeUserCache(opts.dir, name, `${JSON.stringify(entry)}\n`)) await pruneEntries(opts.dir, MAX_ENTRIES).catch(() => undefined);
  return { config, cache: "miss" };
}

/** Every stack directory (and every test's temporary one) adds an entry: keep the newest `max`. */
async function pruneEntries(dir: string, max: number): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.startsWith("config-") && n.endsWith(".json"));
  if (names.length <= max) return;
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await lstat(join(dir, n)).catch(() => null))?.mtimeMs ?? 0 })));
  dated.sort((a, b) => b.t - a.t);
  await Promise.all(dated.slice(max).map(({ n }) => unlink(join(dir, n)).catch(() => undefined)));
}

function digest(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

function valueDigest(value: string | undefined): string {
  return value === undefined ? "unset" : digest(`=${value}`);
}

/** The environment as the parser sees it, noting every variable it asks for. */
function recordingEnv(env: NodeJS.ProcessEnv, read: Map<string, string | undefined>): NodeJS.ProcessEnv {
  return new Proxy(env, {
    get(target, key) {
      const value = Reflect.get(target, key) as string | undefined;
      if (typeof key === "string") read.set(key, value);
      return value;
    },
    has(target, key) {
      if (typeof key === "string") read.set(key, Reflect.get(target, key) as string | undefined);
      return Reflect.has(target, key);
    },
    // A parser that lists the environment depends on all of it: no entry can be valid.
    ownKeys(target) {
      read.set(LISTED, undefined);
      return Reflect.ownKeys(target);
    },
  });
}

function envUnchanged(recorded: Record<string, string>, env: NodeJS.ProcessEnv): boolean {
  return Object.entries(recorded).every(([variable, d]) => valueDigest(env[variable]) === d);
}

async function stampOf(path: string): Promise<Entry["files"][number]> {
  const text = await readFile(path).catch(() => null);
  return text ? { path, sha: digest(text) } : { path, missing: true };
}

async function filesUnchanged(files: Entry["files"]): Promise<boolean> {
  const now = await Promise.all(files.map((f) => stampOf(f.path)));
  return now.every((n, i) => JSON.stringify(n) === JSON.stringify(files[i]));
}

function parseEntry(bytes: Buffer | undefined): Entry | null {
  if (!bytes) return null;
  try {
    const entry = JSON.parse(bytes.toString("utf8")) as Entry;
    return entry && entry.format === FORMAT && typeof entry.config === "object" && Array.isArray(entry.files) ? entry : null;
  } catch {
    return null;
  }
}

/**
 * Which bluegreen validated an entry: the package version and the file this code runs from (the
 * CLI bundle once built), so a rebuild with other validation rules never trusts an older entry.
 */
function buildStamp(): string {
  let file = "";
  try {
    const path = fileURLToPath(import.meta.url);
    const info = statSync(path);
    file = `${path}\0${info.size}\0${info.mtimeMs}`;
  } catch {
    file = String(Math.random()); // unknown build: entries never match
  }
  return digest(`${FORMAT}\0${file}\0${process.version}`);
}
