import { mkdir, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/types.js";
import type { HistoryEntry } from "../../../src/engine/ports.js";
import { EngineError } from "../../../src/engine/errors.js";
import { createStatePorts } from "../../../src/state/engine-ports.js";
import { LockHeldError, readHistory } from "../../../src/state/index.js";
import { lockDirFor } from "../../../src/state/lock.js";
import { tempStateDir } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
let stacks = 0;
/**
 * Ports of one checkout; `locks` is the host-wide lock directory (BLUEGREEN_LOCK_DIR) they share.
 * `dockerHost` is the operator's DOCKER_HOST, `configDockerHost` the config's docker.host.
 */
async function ports(opts: { stack?: string; locks?: string; dockerHost?: string; configDockerHost?: string } = {}) {
  const { dir, cleanup } = await tempStateDir();
  cleanups.push(cleanup);
  const locks = opts.locks ?? join(dir, "..", "locks");
  const stack = opts.stack ?? `shop${++stacks}`;
  const env = { BLUEGREEN_LOCK_DIR: locks, ...(opts.dockerHost ? { DOCKER_HOST: opts.dockerHost } : {}) };
  const configHost = opts.configDockerHost ?? null;
  const config = { stateDir: dir, stack, file: join(dir, "..", "bluegreen.yml"), docker: { host: configHost } } as Config;
  return { dir, locks, lockDir: lockDirFor(stack, env, configHost), config, ...createStatePorts(config, { user: "alice", host: "box" }, env) };
}

/** Both checkouts try to take the lock at once: true when the second is refused while the first holds it. */
async function excludeEachOther(first: Awaited<ReturnType<typeof ports>>, second: Awaited<ReturnType<typeof ports>>): Promise<boolean> {
  const held = await first.lock.acquire("deploy --version v2");
  try {
    const other = await second.lock.acquire("deploy --version v3").catch((err: unknown) => err);
    if (other instanceof EngineError && other.kind === "locked") return true;
    if (other instanceof Error) throw other;
    await (other as { release(): Promise<void> }).release();
    return false;
  } finally {
    await held.release();
  }
}

const entry: HistoryEntry = {
  time: "2025-01-01T00:00:00.000Z",
  user: "alice",
  host: "box",
  command: "rollback",
  operation: "rollback",
  from: { color: "green", version: "v2" },
  to: { color: "blue", version: "v1" },
  phases: { switch: 22 },
  smoke: null,
  verify: { ok: true, requests: 100, failures: 0 },
  outcome: "success",
  error: null,
};

describe("createStatePorts (engine-ports.ts): the engine's state adapters", () => {
  it("writes state stamped with user@host and reads it back", async () => {
    const { state } = await ports();
    expect(await state.read()).toBeNull();
    const written = await state.write({ active: "blue", previous: "green", versions: { blue: "v1" }, warm: true });
    expect(written.updatedBy).toBe("alice@box");
    expect(await state.read()).toEqual(written);
  });

  it("acquires, reports and releases the lock", async () => {
    const { lock } = await ports();
    const held = await lock.acquire("deploy --version v2");
    expect(await lock.read()).toMatchObject({ command: "deploy --version v2", pid: process.pid, stale: false });
    const refused = await lock.acquire("rollback").catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(EngineError);
    expect((refused as EngineError).kind).toBe("locked");
    expect((refused as EngineError).cause).toBeInstanceOf(LockHeldError);
    // A live holder is never taken over, not even by resolve.
    await expect(lock.acquire("resolve", { takeOverStale: true })).rejects.toThrow(/locked by/);
    await held.release();
    expect(await lock.read()).toBeNull();
  });

  it("shows a lock without details as held by an unknown process", async () => {
    const { lockDir, lock } = await ports();
    await mkdir(join(lockDir, "lock"), { recursive: true });
    const old = new Date(Date.now() - 60_000);
    await utimes(join(lockDir, "lock"), old, old);
    expect(await lock.read()).toMatchObject({ pid: 0, user: "unknown", stale: true, startedAt: old.toISOString() });
    const taken = await lock.acquire("resolve", { takeOverStale: true });
    expect(taken.tookOver).toMatchObject({ pid: 0, stale: true });
    expect(await lock.read()).toMatchObject({ pid: process.pid, command: "resolve", stale: false });
    await taken.release();
    expect(await lock.read()).toBeNull();
  });

  it("two checkouts of one stack (different config and state dirs) share the lock: the second is refused, naming the holder", async () => {
    const first = await ports({ stack: "shop" });
    const second = await ports({ stack: "shop", locks: first.locks });
    expect(second.dir).not.toBe(first.dir);
    const held = await first.lock.acquire("deploy --version v2");
    const refused = (await second.lock.acquire("deploy --version v3").catch((err: unknown) => err)) as EngineError;
    expect(refused.kind).toBe("locked");
    expect(refused.message).toContain(`(pid ${process.pid}) running \`deploy --version v2\``);
    expect(refused.message).toContain(first.config.file);
    expect(await second.lock.read()).toMatchObject({ command: "deploy --version v2" });
    await held.release();
  });

  it("the same stack on another Docker endpoint has a lock of its own", async () => {
    const local = await ports({ stack: "shop" });
    const remote = await ports({ stack: "shop", locks: local.locks, dockerHost: "tcp://10.0.0.7:2376" });
    expect(remote.lockDir).not.toBe(local.lockDir);
    const a = await local.lock.acquire("deploy --version v2");
    const b = await remote.lock.acquire("deploy --version v2");
    await b.release();
    await a.release();
  });

  it("a checkout with docker.host in its config and one with the same endpoint in DOCKER_HOST share the lock", async () => {
    const fromConfig = await ports({ stack: "shop", configDockerHost: "tcp://10.0.0.7:2376" });
    const fromEnv = await ports({ stack: "shop", locks: fromConfig.locks, dockerHost: "tcp://10.0.0.7:2376" });
    expect(fromEnv.lockDir).toBe(fromConfig.lockDir);
    expect(await excludeEachOther(fromConfig, fromEnv)).toBe(true);
    expect(await excludeEachOther(fromEnv, fromConfig)).toBe(true);
  });

  it("docker.host wins over DOCKER_HOST: a config naming another endpoint has a lock of its own", async () => {
    const local = await ports({ stack: "shop" });
    // Same DOCKER_HOST (none: the local socket), but this config sends the stack to another daemon.
    const remote = await ports({ stack: "shop", locks: local.locks, configDockerHost: "tcp://10.0.0.7:2376" });
    expect(remote.lockDir).not.toBe(local.lockDir);
    expect(await excludeEachOther(local, remote)).toBe(false);
    // And a DOCKER_HOST naming the local socket does not pull it back there.
    const overridden = await ports({ stack: "shop", locks: local.locks, dockerHost: "unix:///var/run/docker.sock", configDockerHost: "tcp://10.0.0.7:2376" });
    expect(overridden.lockDir).toBe(remote.lockDir);
    expect(await excludeEachOther(local, overridden)).toBe(false);
    expect(await excludeEachOther(remote, overridden)).toBe(true);
  });

  it("one endpoint written two ways is one lock: the default socket spelled out or unset, a tcp host in another case or with a trailing slash", async () => {
    const unset = await ports({ stack: "shop" });
    const spelled = await ports({ stack: "shop", locks: unset.locks, dockerHost: "unix:///var/run/docker.sock" });
    const inConfig = await ports({ stack: "shop", locks: unset.locks, configDockerHost: "unix:///var/run//docker.sock/" });
    expect(spelled.lockDir).toBe(unset.lockDir);
    expect(inConfig.lockDir).toBe(unset.lockDir);
    expect(await excludeEachOther(unset, inConfig)).toBe(true);

    const lower = await ports({ stack: "shop", locks: unset.locks, configDockerHost: "tcp://box.example:2375" });
    const upper = await ports({ stack: "shop", locks: unset.locks, dockerHost: "tcp://Box.Example:2375/" });
    expect(upper.lockDir).toBe(lower.lockDir);
    expect(await excludeEachOther(lower, upper)).toBe(true);
    expect(lower.lockDir).not.toBe(unset.lockDir);
  });

  it("keeps the lock in an owner-only directory, whatever the umask", async () => {
    const { lock, lockDir } = await ports();
    const before = process.umask(0);
    try {
      const held = await lock.acquire("deploy");
      expect((await stat(lockDir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(lockDir, "lock"))).mode & 0o777).toBe(0o700);
      expect((await stat(join(lockDir, "lock.json"))).mode & 0o777).toBe(0o600);
      await held.release();
    } finally {
      process.umask(before);
    }
  });

  it("appends the engine's history entries", async () => {
    const { dir, history } = await ports();
    await history.append(entry);
    await history.append({ ...entry, outcome: "declined" });
    expect((await readHistory(dir)).entries.map((e) => e.outcome)).toEqual(["success", "declined"]);
  });

  it("refuses an outcome the history does not know", async () => {
    const { dir, history } = await ports();
    // The types refuse it already; the schema refuses it from untyped callers too.
    await expect(history.append({ ...entry, outcome: "exploded" as never })).rejects.toThrow(/outcome/);
    expect((await readHistory(dir)).entries).toEqual([]);
  });
});
