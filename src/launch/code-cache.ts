/**
 * Runs the CLI bundle (dist/cli/bluegreen.cjs) as a script with a V8 code cache, so a command does
 * not parse and compile ~1.5 MB of JavaScript on every start: an urgent `rollback --yes` reaches
 * the proxy ~50 ms sooner on a 2-core host. Node 22 has module.enableCompileCache() for this; the
 * Node 20 that bluegreen supports has only vm.Script's cachedData, which needs a script, hence a
 * CommonJS bundle.
 *
 * The cache is compiled code that this process will run, so it is trusted only as far as the user's
 * own files: it lives in a directory that only the user may write (0700, owned by them), is opened
 * without following a link, and must be owned by the user and writable by nobody else. Anything
 * else — a missing, foreign, rejected or unreadable cache — means compiling from source, never an
 * error. One cache per command word ("rollback", "status"…): each holds the functions that command
 * compiled on its first run.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readdirSync, statSync, unlinkSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { join } from "node:path";
import vm from "node:vm";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { ensurePrivateDir } from "../fs/private-dir.js";

export interface CodeCacheOptions {
  /** Where caches live (codeCacheDir), or null for no cache. */
  dir: string | null;
  /** What this run is, e.g. the command word: one cache file per key. */
  key: string;
}

export interface LoadedScript<T> {
  exports: T;
  /** "hit" when V8 took the cache, "miss" when there was none, "rejected" when V8 refused it, "off" without a dir. */
  readonly cache: "hit" | "miss" | "rejected" | "off";
  /** Where the cache is (or would be) kept, or null without a dir. */
  readonly cachePath: string | null;
  /** Writes the cache when this run had to compile from source; never throws. */
  saveCache(): Promise<void>;
}

/** The per-user cache directory: $XDG_CACHE_HOME/bluegreen or ~/.cache/bluegreen; null with BLUEGREEN_CODE_CACHE=off or no home. */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | null {
  if (env.BLUEGREEN_CODE_CACHE === "off") return null;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && xdg.startsWith("/")) return join(xdg, "bluegreen");
  const home = env.HOME;
  return home && home.startsWith("/") ? join(home, ".cache", "bluegreen") : null;
}

/** Loads a CommonJS file as a module, with its code cache when one is there and trusted. */
export function loadScriptWithCodeCache<T>(file: string, opts: CodeCacheOptions): LoadedScript<T> {
  const source = readFileSync(file, "utf8");
  const cachePath = opts.dir === null ? null : join(opts.dir, cacheFileName(file, source, opts.key));
  const cachedData = cachePath === null ? undefined : readTrustedCache(opts.dir as string, cachePath);
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const cache = cachePath === null ? "off" : !cachedData ? "miss" : script.cachedDataRejected ? "rejected" : "hit";
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, join(file, ".."));
  return {
    exports: module.exports,
    cache,
    cachePath,
    async saveCache() {
      if (cachePath === null || cache === "hit") return;
      try {
        const dir = opts.dir as string;
        await ensurePrivateDir(dir, { what: "the code cache directory" });
        await writeFileAtomic(cachePath, script.createCachedData(), { mode: 0o600 });
        removeStaleCaches(dir, cachePath, opts.key);
      } catch {
        // A read-only or foreign home: the next run compiles from source again.
      }
    },
  };
}

/** `cli-<key>-<fingerprint>.v8`: another build, Node or architecture gets another file. */
function cacheFileName(file: string, source: string, key: string): string {
  const info = statSync(file);
  const fingerprint = createHash("sha256").update(`${source.length}\0${info.size}\0${info.mtimeMs}\0${process.version}\0${process.arch}`).digest("hex").slice(0, 16);
  return `cli-${safeKey(key)}-${fingerprint}.v8`;
}

function safeKey(key: string): string {
  return /^[a-z][a-z0-9-]{0,31}$/.test(key) ? key : "other";
}

/** The cache's bytes, or undefined when it is missing or not trustworthy (see the module comment). */
function readTrustedCache(dir: string, path: string): Buffer | undefined {
  const uid = process.getuid?.();
  try {
    const d = lstatSync(dir);
    if (!d.isDirectory() || (uid !== undefined && d.uid !== uid) || (d.mode & 0o022) !== 0) return undefined;
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
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

/** Caches of the same key from earlier builds. */
function removeStaleCaches(dir: string, keep: string, key: string): void {
  const prefix = `cli-${safeKey(key)}-`;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path !== keep && name.startsWith(prefix) && name.endsWith(".v8")) unlinkSync(path);
  }
}
