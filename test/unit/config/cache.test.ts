import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfigCached, MAX_ENTRIES } from "../../../src/config/cache.js";
import { loadConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/types.js";

const REPO = new URL("../../../", import.meta.url).pathname;

let root: string;
let cacheDir: string;
let configFile: string;

beforeEach(() => {
  // The demo stack's own files, in a directory of their own that the test may edit.
  root = mkdtempSync(join(tmpdir(), "bg-config-cache-"));
  for (const f of ["bluegreen.yml", "compose.yml", "compose.blue.yml", "compose.green.yml"]) cpSync(join(REPO, f), join(root, f));
  cpSync(join(REPO, "smoke", "specs", "demo.yml"), join(root, "smoke", "specs", "demo.yml"), { recursive: true });
  configFile = join(root, "bluegreen.yml");
  cacheDir = join(root, "cache");
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The real validation, counting its runs. */
function counting() {
  const calls: number[] = [];
  return {
    calls,
    load: async (file: string, env: NodeJS.ProcessEnv): Promise<Config> => {
      calls.push(1);
      return loadConfig(file, env, { cwd: root });
    },
  };
}

const run = (env: NodeJS.ProcessEnv, v = counting(), dir: string | null = cacheDir) => loadConfigCached(configFile, env, { dir, cwd: root, load: v.load });

describe("the validated-config cache", () => {
  it("validates once, then answers the same config without validating while nothing it read changed", async () => {
    const v = counting();
    const env = { PROXY_PORT: "18080", UNRELATED: "a" };
    const first = await run(env, v);
    expect(first.cache).toBe("miss");
    const [entry] = readdirSync(cacheDir);
    expect(statSync(join(cacheDir, entry as string)).mode & 0o777).toBe(0o600);

    const second = await run({ ...env, UNRELATED: "b" }, v);
    expect(second.cache).toBe("hit");
    expect(v.calls).toHaveLength(1);
    expect(second.config).toEqual(await loadConfig(configFile, env, { cwd: root }));
    expect(second.config.proxy.liveUrl).toBe("http://127.0.0.1:18080");
  });

  it("validates again when a variable it read changes, is set or unset, or an override appears", async () => {
    const v = counting();
    await run({ PROXY_PORT: "18080" }, v);
    expect((await run({ PROXY_PORT: "18081" }, v)).config.proxy.liveUrl).toBe("http://127.0.0.1:18081");
    expect((await run({}, v)).config.proxy.liveUrl).toBe("http://127.0.0.1:8080");
    const overridden = await run({ HEALTH_CHECK_TIMEOUT: "7" }, v);
    expect(overridden.cache).toBe("miss");
    expect(overridden.config.health.timeoutMs).toBe(7000);
    expect(v.calls).toHaveLength(4);
  });

  it("validates again when bluegreen.yml or a compose file changes, and reports a broken one as the full load does", async () => {
    const v = counting();
    await run({}, v);
    writeFileSync(configFile, readFileSync(configFile, "utf8"));
    expect((await run({}, v)).cache).toBe("hit");
    writeFileSync(configFile, readFileSync(configFile, "utf8").replace("timeout: 180s", "timeout: 181s"));
    expect((await run({}, v)).cache).toBe("miss");

    const blue = join(root, "compose.blue.yml");
    await run({}, v);
    // Same size, same timestamp: only the content tells.
    const before = statSync(blue);
    writeFileSync(blue, readFileSync(blue, "utf8").replaceAll("app-blue:", "app-bleu:"));
    utimesSync(blue, before.atime, before.mtime);
    expect(statSync(blue).size).toBe(before.size);
    await expect(run({}, v)).rejects.toThrow(/has no service "app-blue"/);

    rmSync(blue);
    await expect(run({}, v)).rejects.toThrow(/compose\.blue\.yml does not exist/);
  });

  it("never caches a config that read a secret-looking variable or a URL with a password", async () => {
    writeFileSync(configFile, readFileSync(configFile, "utf8").replace("env:\n", "env:\n  DB_PASSWORD: \"${DB_PASSWORD:-x}\"\n"));
    const v = counting();
    expect((await run({ DB_PASSWORD: "hunter2" }, v)).cache).toBe("uncacheable");
    expect((await run({ DB_PASSWORD: "hunter2" }, v)).cache).toBe("uncacheable");
    expect(v.calls).toHaveLength(2);
    expect(() => readdirSync(cacheDir)).toThrow();

    writeFileSync(configFile, readFileSync(configFile, "utf8").replace("DB_PASSWORD: \"${DB_PASSWORD:-x}\"", "DB: \"${DATABASE_URL:-x}\""));
    expect((await run({ DATABASE_URL: "postgres://app:s3cret@db/app" }, v)).cache).toBe("uncacheable");
    expect(() => readdirSync(cacheDir)).toThrow();
  });

  it("ignores an entry that is corrupt or that others could have written, and replaces it", async () => {
    const v = counting();
    await run({}, v);
    const [entry] = readdirSync(cacheDir);
    const path = join(cacheDir, entry as string);
    writeFileSync(path, "{not json");
    expect((await run({}, v)).cache).toBe("miss");
    expect((await run({}, v)).cache).toBe("hit");

    // A tampered entry in a directory others may write is not read.
    const tampered = JSON.parse(readFileSync(path, "utf8")) as { config: Config };
    tampered.config.proxy.liveUrl = "http://attacker.example";
    writeFileSync(path, JSON.stringify(tampered));
    chmodSync(cacheDir, 0o777);
    const r = await run({}, v);
    expect(r.cache).toBe("miss");
    expect(r.config.proxy.liveUrl).toBe("http://127.0.0.1:8080");
  });

  it("keeps the newest entries only: writing one more than the limit removes the oldest", async () => {
    await run({}, counting());
    const [own] = readdirSync(cacheDir);
    for (let i = 0; i < MAX_ENTRIES + 3; i++) {
      const old = join(cacheDir, `config-old${String(i).padStart(3, "0")}.json`);
      writeFileSync(old, "{}", { mode: 0o600 });
      const t = new Date(Date.now() - (i + 10) * 60_000);
      utimesSync(old, t, t);
    }
    writeFileSync(configFile, readFileSync(configFile, "utf8").replace("timeout: 180s", "timeout: 181s"));
    expect((await run({}, counting())).cache).toBe("miss");
    const left = readdirSync(cacheDir);
    expect(left).toHaveLength(MAX_ENTRIES);
    expect(left).toContain(own);
    expect(left).toContain("config-old000.json");
    expect(left).not.toContain(`config-old${String(MAX_ENTRIES + 2).padStart(3, "0")}.json`);
  });

  it("is off without a cache directory (BLUEGREEN_CACHE=off)", async () => {
    const v = counting();
    expect((await run({}, v, null)).cache).toBe("off");
    expect((await run({}, v, null)).cache).toBe("off");
    expect(v.calls).toHaveLength(2);
  });
});

