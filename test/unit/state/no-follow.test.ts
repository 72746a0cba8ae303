/**
 * A link swapped in between a check and the open (TOCTOU) must still be refused: state, history and
 * lock details are opened with O_NOFOLLOW, not checked with lstat and then opened by path. The swap
 * is made deterministic by doing it right after the check: every lstat/stat of a watched path,
 * once it has answered, replaces the file with a link to a victim file.
 */
import * as realFs from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

const swaps = new Map<string, string>();

vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const swapFirst = async (path: unknown) => {
    const target = typeof path === "string" ? swaps.get(path) : undefined;
    if (target !== undefined) {
      swaps.delete(path as string);
      await fs.rm(path as string, { force: true });
      await fs.symlink(target, path as string);
    }
  };
  const wrap = <F extends (...args: never[]) => Promise<unknown>>(f: F) =>
    (async (...args: Parameters<F>) => {
      const answer = await f(...args);
      await swapFirst(args[0]);
      return answer;
    }) as unknown as F;
  return { ...fs, default: fs, lstat: wrap(fs.lstat), stat: wrap(fs.stat) };
});

const { appendHistory, readHistory, readState, readLock, SymlinkRefusedError } = await import("../../../src/state/index.js");
const { tempStateDir } = await import("./helpers.js");

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  swaps.clear();
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setup(file: string, content: string) {
  const { dir, cleanup } = await tempStateDir();
  cleanups.push(cleanup);
  await realFs.mkdir(dir, { recursive: true });
  const victim = join(dir, "..", "victim.txt");
  await realFs.writeFile(victim, '{"not":"yours"}\n');
  const path = join(dir, file);
  await realFs.writeFile(path, content);
  return { dir, victim, path };
}

/**
 * Runs `op` with `path` swapped for a link to `victim` right after the first check of it. When `op`
 * checks nothing first (it relies on the open alone), the link is put there and `op` runs again.
 * Returns what `op` threw (null when it did not).
 */
async function errorAcrossSwap(path: string, victim: string, op: () => Promise<unknown>): Promise<unknown> {
  swaps.set(path, victim);
  let error = await op().then(() => null, (e: unknown) => e);
  if (swaps.delete(path)) {
    await realFs.rm(path, { force: true });
    await realFs.symlink(victim, path);
    error = await op().then(() => null, (e: unknown) => e);
  }
  return error;
}

const ENTRY = {
  time: "2025-01-01T00:00:00.000Z",
  user: "a",
  host: "h",
  command: "switch",
  operation: "switch",
  from: { color: "blue" as const, version: null },
  to: { color: "green" as const, version: null },
  phases: {},
  smoke: null,
  verify: null,
  outcome: "success" as const,
  error: null,
};

describe("state files are opened without following links, whatever was checked before", () => {
  it("refuses a history file swapped for a link after the check, appending nothing to the link's target", async () => {
    const { dir, victim, path } = await setup("history.jsonl", "");
    expect(await errorAcrossSwap(path, victim, () => appendHistory(dir, ENTRY))).toBeInstanceOf(SymlinkRefusedError);
    expect(await realFs.readFile(victim, "utf8")).toBe('{"not":"yours"}\n');
  });

  it("refuses to read a history file swapped for a link after the check", async () => {
    const { dir, victim, path } = await setup("history.jsonl", "");
    expect(await errorAcrossSwap(path, victim, () => readHistory(dir))).toBeInstanceOf(SymlinkRefusedError);
  });

  it("refuses to read a state file swapped for a link after the check", async () => {
    const { dir, victim, path } = await setup("state.json", "{}");
    expect(await errorAcrossSwap(path, victim, () => readState(dir))).toBeInstanceOf(SymlinkRefusedError);
  });

  it("refuses to read lock details swapped for a link after the check", async () => {
    const { dir, victim, path } = await setup("lock.json", "{}");
    await realFs.mkdir(join(dir, "lock"));
    expect(await errorAcrossSwap(path, victim, () => readLock(dir))).toBeInstanceOf(SymlinkRefusedError);
  });
});
