import { mkdir, readdir, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireLock, breakStaleLock, isProcessAlive, LockHeldError, readLock, SymlinkRefusedError } from "../../../src/state/index.js";
import { childHoldingLock, killAndWait, tempStateDir } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function stateDir(): Promise<string> {
  const { dir, cleanup } = await tempStateDir();
  cleanups.push(cleanup);
  return dir;
}

describe("the stack lock", () => {
  it("is taken, described in lock.json, and released", async () => {
    const dir = await stateDir();
    const lock = await acquireLock(dir, { command: "deploy --version v2" });
    const status = await readLock(dir);
    expect(status?.details).toMatchObject({ pid: process.pid, host: hostname(), command: "deploy --version v2" });
    expect(status?.stale).toBe(false);
    expect(lock.compromised).toBeNull();
    expect((await stat(join(dir, "lock.json"))).mode & 0o022).toBe(0);
    expect((await stat(join(dir, "lock"))).mode & 0o022).toBe(0);
    await lock.release();
    await lock.release(); // idempotent
    expect(await readLock(dir)).toBeNull();
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a second holder, naming the first and what to do", async () => {
    const dir = await stateDir();
    const lock = await acquireLock(dir, { command: "deploy --version v2", user: "alice", startedAt: "2025-01-02T10:02:11.000Z" });
    cleanups.push(() => lock.release());
    const error = await acquireLock(dir, { command: "rollback" }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LockHeldError);
    const held = error as LockHeldError;
    expect(held.status.stale).toBe(false);
    expect(held.message).toContain(`locked by alice@${hostname()} (pid ${process.pid}) running \`deploy --version v2\` since `);
    expect(held.message).toContain("Nothing was changed. Wait for it to finish");
  });

  it("reports the lock of a killed process as stale instead of taking it, and breakStaleLock removes it", async () => {
    const dir = await stateDir();
    const child = await childHoldingLock(dir);
    cleanups.push(() => killAndWait(child));

    const whileAlive = await readLock(dir);
    expect(whileAlive).toMatchObject({ stale: false, details: { pid: child.pid, command: "deploy --version v2" } });
    await expect(breakStaleLock(dir)).rejects.toThrow(/refusing to break the lock, its holder may still be running/);

    await killAndWait(child, "SIGKILL");
    expect(isProcessAlive(child.pid)).toBe(false);

    const afterKill = await readLock(dir);
    expect(afterKill?.stale).toBe(true);
    expect(afterKill?.staleReason).toBe(`process ${child.pid} is no longer running on ${hostname()}`);

    const refused = await acquireLock(dir, { command: "deploy --version v3" }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as LockHeldError).status.stale).toBe(true);
    expect((refused as LockHeldError).message).toContain("the lock is stale");
    expect((refused as LockHeldError).message).toContain("`bluegreen resolve` removes the stale lock");

    const broken = await breakStaleLock(dir);
    expect(broken?.details?.pid).toBe(child.pid);
    expect(await readLock(dir)).toBeNull();
    const lock = await acquireLock(dir, { command: "deploy --version v3" });
    await lock.release();
  }, 60_000);

  it("is freed when its holder exits on SIGTERM", async () => {
    const dir = await stateDir();
    const child = await childHoldingLock(dir);
    cleanups.push(() => killAndWait(child));
    await killAndWait(child, "SIGTERM");
    // proper-lockfile removes the lock directory on exit; lock.json alone does not hold the stack.
    expect(await readLock(dir)).toBeNull();
    const lock = await acquireLock(dir, { command: "deploy" });
    expect((await readLock(dir))?.details?.pid).toBe(process.pid);
    await lock.release();
  }, 60_000);

  it("treats a lock from another host as alive while it is refreshed, stale once it stops", async () => {
    const dir = await stateDir();
    await mkdir(join(dir, "lock"), { recursive: true });
    await writeFile(join(dir, "lock.json"), JSON.stringify({ pid: 1, host: "other-host", user: "bob", command: "deploy", startedAt: new Date().toISOString() }));
    expect((await readLock(dir))?.stale).toBe(false);
    const old = new Date(Date.now() - 120_000);
    await utimes(join(dir, "lock"), old, old);
    const status = await readLock(dir);
    expect(status?.stale).toBe(true);
    expect(status?.staleReason).toMatch(/not refreshed by other-host for 1[12]\ds/);
  });

  it("treats a lock without details as being taken, then stale when old", async () => {
    const dir = await stateDir();
    await mkdir(join(dir, "lock"), { recursive: true });
    expect(await readLock(dir)).toMatchObject({ details: null, stale: false });
    const error = await acquireLock(dir, { command: "deploy" }).catch((err: unknown) => err);
    expect(String(error)).toContain("held by an unknown process");
    const old = new Date(Date.now() - 30_000);
    await utimes(join(dir, "lock"), old, old);
    expect(await readLock(dir)).toMatchObject({ details: null, stale: true });
    expect((await breakStaleLock(dir))?.details).toBeNull();
    expect(await readLock(dir)).toBeNull();
  });

  it("says there is nothing to break when the stack is not locked", async () => {
    expect(await breakStaleLock(await stateDir())).toBeNull();
  });

  it("records that the lock was lost while held, instead of crashing the process", async () => {
    const dir = await stateDir();
    const lock = await acquireLock(dir, { command: "deploy" });
    // Someone removes the lock behind our back; the next refresh (every 5 s) notices.
    const { rm } = await import("node:fs/promises");
    await rm(join(dir, "lock"), { recursive: true });
    const deadline = Date.now() + 15_000;
    while (lock.compromised === null && Date.now() < deadline) await new Promise((done) => setTimeout(done, 200));
    expect(lock.compromised?.message).toContain("was removed or changed by someone else");
    await lock.release();
  }, 30_000);

  it("refuses a symlinked lock details file", async () => {
    const dir = await stateDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "target"), "");
    await symlink(join(dir, "target"), join(dir, "lock.json"));
    await expect(acquireLock(dir, { command: "deploy" })).rejects.toBeInstanceOf(SymlinkRefusedError);
  });
});

describe("taking over a stale lock, and losing a held one", () => {
  it("replaces a stale lock in one step: of many racing takeovers and plain acquires, exactly one takeover wins", async () => {
    const dir = await stateDir();
    const child = await childHoldingLock(dir);
    await killAndWait(child, "SIGKILL");
    expect((await readLock(dir))?.stale).toBe(true);

    const attempts = [
      ...Array.from({ length: 6 }, (_, i) => acquireLock(dir, { command: `resolve ${i}` }, { takeOverStale: true }).then((l) => ({ kind: "takeover", l }))),
      ...Array.from({ length: 6 }, (_, i) => acquireLock(dir, { command: `deploy ${i}` }).then((l) => ({ kind: "plain", l }))),
    ];
    const settled = await Promise.allSettled(attempts);
    const won = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    expect(won.map((w) => w.kind)).toEqual(["takeover"]);
    const winner = won[0]?.l;
    expect(winner?.tookOver?.details?.pid).toBe(child.pid);
    // Every loser was told who holds it; the lock now names the winner and is not stale.
    for (const s of settled) if (s.status === "rejected") expect(s.reason).toBeInstanceOf(LockHeldError);
    expect(await readLock(dir)).toMatchObject({ stale: false, details: { pid: process.pid, command: winner?.details.command } });
    await winner?.release();
    expect(await readLock(dir)).toBeNull();
  }, 60_000);

  it("never takes over a lock whose holder is alive", async () => {
    const dir = await stateDir();
    const child = await childHoldingLock(dir);
    cleanups.push(() => killAndWait(child));
    await expect(acquireLock(dir, { command: "resolve" }, { takeOverStale: true })).rejects.toBeInstanceOf(LockHeldError);
    expect((await readLock(dir))?.details?.pid).toBe(child.pid);
  }, 60_000);

  it("tells the holder through onLost when someone removes its lock, and leaves the new holder's details alone", async () => {
    const dir = await stateDir();
    const lost: Error[] = [];
    const lock = await acquireLock(dir, { command: "deploy --version v2" }, { onLost: (e) => lost.push(e), refreshMs: 1_000 });
    const { rm } = await import("node:fs/promises");
    await rm(join(dir, "lock"), { recursive: true });
    await rm(join(dir, "lock.json"));
    const other = await acquireLock(dir, { command: "deploy --version v9" });
    const t0 = Date.now();
    while (lost.length === 0 && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 50));
    expect(lost).toHaveLength(1);
    expect(lost[0]?.message).toMatch(/was removed or changed by someone else while this bluegreen held it/);
    expect(lock.compromised).not.toBeNull();
    await lock.release();
    expect((await readLock(dir))?.details?.command).toBe("deploy --version v9");
    await other.release();
  }, 30_000);
});
