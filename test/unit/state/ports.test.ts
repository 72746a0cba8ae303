import { mkdir, utimes } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/types.js";
import type { HistoryEntry } from "../../../src/engine/ports.js";
import { EngineError } from "../../../src/engine/errors.js";
import { createStatePorts } from "../../../src/state/engine-ports.js";
import { LockHeldError, readHistory } from "../../../src/state/index.js";
import { tempStateDir } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function ports() {
  const { dir, cleanup } = await tempStateDir();
  cleanups.push(cleanup);
  return { dir, ...createStatePorts({ stateDir: dir } as Config, { user: "alice", host: "box" }) };
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
    await expect(lock.breakStale()).rejects.toThrow(/refusing to break the lock/);
    await held.release();
    expect(await lock.read()).toBeNull();
  });

  it("shows a lock without details as held by an unknown process", async () => {
    const { dir, lock } = await ports();
    await mkdir(join(dir, "lock"), { recursive: true });
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, "lock"), old, old);
    expect(await lock.read()).toMatchObject({ pid: 0, user: "unknown", stale: true, startedAt: old.toISOString() });
    await lock.breakStale();
    expect(await lock.read()).toBeNull();
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
