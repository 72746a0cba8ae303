/**
 * Runs the CLI bundle (dist/cli/bluegreen.cjs) as a script with a V8 code cache, so a command does
 * not parse and compile ~1.5 MB of JavaScript on every start: an urgent `rollback --yes` reaches
 * the proxy ~50 ms sooner on a 2-core host. Node 22 has module.enableCompileCache() for this; the
 * Node 20 that bluegreen supports has only vm.Script's cachedData, which needs a script, hence a
 * CommonJS bundle.
 *
 * The cache is compiled code that this process will run, so it lives in the user's private cache
 * directory (src/fs/user-cache.ts: nobody else may write it); a missing, foreign, rejected or
 * unreadable cache means compiling from source, never an error. One cache per command word
 * ("rollback", "status"…): each holds the functions that command compiled on its first run.
 */
import { readFileSync, readdirSync, statSync, unlinkSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { basename, join } from "node:path";
import vm from "node:vm";
import { readUserCache, writeUserCache } from "../fs/user-cache.js";

export interface CodeCacheOptions {
  /** Where caches live (userCacheDir), or null for no cache. */
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

/** Loads a CommonJS file as a module, with its code cache when one is there and trusted. */
export function loadScriptWithCodeCache<T>(file: string, opts: CodeCacheOptions): LoadedScript<T> {
  // The bundle is ASCII (scripts/bundle-cli.mjs checks): latin1 skips UTF-8 decoding, ~3 ms here.
  const source = readFileSync(file, "latin1");
  const cachePath = opts.dir === null ? null : join(opts.dir, cacheFileName(file, source, opts.key));
  const cachedData = cachePath === null ? undefined : readUserCache(opts.dir as string, basename(cachePath));
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
      // A read-only or foreign home: the next run compiles from source again.
      if (await writeUserCache(opts.dir as string, basename(cachePath), script.createCachedData())) {
        try {
          removeStaleCaches(opts.dir as string, cachePath, opts.key);
        } catch {
          // stale files only cost disk space
        }
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

/** Caches of the same key from earlier builds. */
function removeStaleCaches(dir: string, keep: string, key: string): void {
  const prefix = `cli-${safeKey(key)}-`;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path !== keep && name.startsWith(prefix) && name.endsWith(".v8")) unlinkSync(path);
  }
}
