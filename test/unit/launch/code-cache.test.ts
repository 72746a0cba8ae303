import { chmodSync, chownSync, mkdtempSync, renameSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadScriptWithCodeCache } from "../../../src/launch/code-cache.js";
import { userCacheDir } from "../../../src/fs/user-cache.js";
import { commandWord } from "../../../src/launch/index.js";

// V8 keeps compiled scripts per process by source: without this, the second load of the same
// source in this process would never consult the cache file, and "hit" would prove nothing.
setFlagsFromString("--no-compilation-cache");

let root: string;
let script: string;
let dir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "bg-code-cache-"));
  script = join(root, "bundle.cjs");
  // Enough functions that V8 has something to cache; the exports prove the script ran.
  const fns = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i} + ${i}; }`).join("\n");
  writeFileSync(script, `${fns}\nexports.sum = (n) => { let s = 0; for (let i = 0; i < 200; i++) s += eval("f" + i)(n); return s; };\nexports.file = __filename;\n`);
  dir = join(root, "cache");
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

type Bundle = { sum(n: number): number; file: string };
const load = (key = "rollback") => loadScriptWithCodeCache<Bundle>(script, { dir, key });

describe("the CLI bundle's V8 code cache", () => {
  it("compiles from source the first time, writes an owner-only cache, and V8 takes it the next time", async () => {
    const first = load();
    expect(first.cache).toBe("miss");
    expect(first.exports.sum(1)).toBe(39800);
    expect(first.exports.file).toBe(script);
    await first.saveCache();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^cli-rollback-[0-9a-f]{16}\.v8$/);
    expect(statSync(join(dir, files[0] as string)).mode & 0o777).toBe(0o600);

    const second = load();
    expect(second.cache).toBe("hit");
    expect(second.exports.sum(1)).toBe(39800);
  });

  it("keeps one cache per command word, and a new build replaces that command's old cache", async () => {
    await load("rollback").saveCache();
    await load("status").saveCache();
    expect(readdirSync(dir).map((f) => f.split("-")[1]).sort()).toEqual(["rollback", "status"]);
    writeFileSync(script, `exports.sum = () => 1; exports.file = "rebuilt";\n`);
    const rebuilt = load("rollback");
    expect(rebuilt.cache).toBe("miss");
    expect(rebuilt.exports.file).toBe("rebuilt");
    await rebuilt.saveCache();
    expect(readdirSync(dir).filter((f) => f.startsWith("cli-rollback-"))).toHaveLength(1);
    expect(load("rollback").cache).toBe("hit");
  });

  it("a corrupt cache is rejected by V8, the script still runs from source, and the cache is rewritten", async () => {
    await load().saveCache();
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file as string), Buffer.alloc(4096, 7), { mode: 0o600 });
    const run = load();
    expect(run.cache).toBe("rejected");
    expect(run.exports.sum(1)).toBe(39800);
    await run.saveCache();
    expect(load().cache).toBe("hit");
  });

  it("does not read a cache that others could have written: a group/world-writable directory or file, a symlink, another owner", async () => {
    await load().saveCache();
    const [name] = readdirSync(dir);
    const file = join(dir, name as string);

    chmodSync(dir, 0o777);
    expect(load().cache).toBe("miss");
    chmodSync(dir, 0o700);

    chmodSync(file, 0o666);
    expect(load().cache).toBe("miss");
    chmodSync(file, 0o600);
    expect(load().cache).toBe("hit");

    // The same valid cache, reached through a link: not read.
    const real = join(root, "elsewhere.v8");
    renameSync(file, real);
    symlinkSync(real, file);
    expect(load().cache).toBe("miss");
    rmSync(file);

    if (process.getuid?.() === 0) {
      await load().saveCache();
      const [owned] = readdirSync(dir);
      chownSync(join(dir, owned as string), 65534, 65534);
      expect(load().cache).toBe("miss");
    }
  });

  it("a cache directory it cannot create costs nothing but the cache", async () => {
    writeFileSync(join(root, "not-a-dir"), "");
    const run = loadScriptWithCodeCache<Bundle>(script, { dir: join(root, "not-a-dir", "cache"), key: "status" });
    expect(run.cache).toBe("miss");
    await expect(run.saveCache()).resolves.toBeUndefined();
    expect(run.exports.sum(2)).toBe(39800 * 2 - 19900);
  });

  it("is off with BLUEGREEN_CACHE=off, else under $XDG_CACHE_HOME or ~/.cache", async () => {
    expect(userCacheDir({ BLUEGREEN_CACHE: "off", HOME: "/home/op" })).toBeNull();
    expect(userCacheDir({ XDG_CACHE_HOME: "/var/cache/op", HOME: "/home/op" })).toBe("/var/cache/op/bluegreen");
    expect(userCacheDir({ XDG_CACHE_HOME: "relative", HOME: "/home/op" })).toBe("/home/op/.cache/bluegreen");
    expect(userCacheDir({})).toBeNull();
    const off = loadScriptWithCodeCache<Bundle>(script, { dir: null, key: "status" });
    expect(off.cache).toBe("off");
    await off.saveCache();
    expect(() => readdirSync(dir)).toThrow();
  });

  it("names the cache after the command, past -c FILE; any help run is 'help'", () => {
    expect(commandWord(["-c", "bluegreen.yml", "rollback", "--yes"])).toBe("rollback");
    expect(commandWord(["--config", "x.yml", "status"])).toBe("status");
    expect(commandWord(["--config=x.yml", "deploy", "--version", "v2"])).toBe("deploy");
    expect(commandWord(["rollback", "--help"])).toBe("help");
    expect(commandWord(["help", "deploy"])).toBe("help");
    expect(commandWord([])).toBe("none");
  });
});
