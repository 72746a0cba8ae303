import { appendFile, readFile, stat, symlink, writeFile, mkdir } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { appendHistory, historyPath, readHistory, type HistoryEntry } from "../../../src/state/index.js";
import { tempStateDir } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});
async function stateDir(): Promise<string> {
  const { dir, cleanup } = await tempStateDir();
  cleanups.push(cleanup);
  return dir;
}

function entry(n: number, outcome: HistoryEntry["outcome"] = "success"): HistoryEntry {
  return {
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    user: "alice",
    host: "ci",
    command: `deploy --version v${n}`,
    operation: "deploy",
    from: { color: "blue", version: `v${n - 1}` },
    to: { color: "green", version: `v${n}` },
    phases: { up: 4200, health: 3100, smoke: 900, switch: 31, verify: 5000, drain: 2000 },
    smoke: { ok: true, checks: 12, failed: 0 },
    verify: { ok: true, requests: 4800, failures: 0 },
    outcome,
    error: outcome === "success" ? null : "health check timed out after 180s",
  };
}

describe("history.jsonl", () => {
  it("is empty before the first operation", async () => {
    expect(await readHistory(await stateDir())).toEqual({ entries: [], skipped: [] });
  });

  it("appends one JSON line per operation and reads them back oldest first", async () => {
    const dir = await stateDir();
    for (let n = 1; n <= 5; n++) await appendHistory(dir, entry(n, n === 3 ? "rolled-back" : "success"));
    const text = await readFile(historyPath(dir), "utf8");
    expect(text.trim().split("\n")).toHaveLength(5);
    const { entries } = await readHistory(dir);
    expect(entries.map((e) => e.command)).toEqual(["deploy --version v1", "deploy --version v2", "deploy --version v3", "deploy --version v4", "deploy --version v5"]);
    expect(entries[2]).toEqual(entry(3, "rolled-back"));
    expect((await stat(historyPath(dir))).mode & 0o022).toBe(0);
  });

  it("returns the most recent entries up to the limit", async () => {
    const dir = await stateDir();
    for (let n = 1; n <= 5; n++) await appendHistory(dir, entry(n));
    expect((await readHistory(dir, { limit: 2 })).entries.map((e) => e.to.version)).toEqual(["v4", "v5"]);
    expect((await readHistory(dir, { limit: 0 })).entries).toEqual([]);
  });

  it("keeps concurrent appends whole", async () => {
    const dir = await stateDir();
    await Promise.all(Array.from({ length: 40 }, (_, n) => appendHistory(dir, entry(n + 1))));
    const { entries, skipped } = await readHistory(dir);
    expect(skipped).toEqual([]);
    expect(new Set(entries.map((e) => e.command)).size).toBe(40);
  });

  it("skips a torn or hand-edited line, saying which", async () => {
    const dir = await stateDir();
    await appendHistory(dir, entry(1));
    await appendFile(historyPath(dir), '{"time": "2025-01-0\n{"time": 5}\n');
    await appendHistory(dir, entry(2));
    const { entries, skipped } = await readHistory(dir);
    expect(entries).toHaveLength(2);
    expect(skipped).toEqual([
      { line: 2, reason: "not valid JSON" },
      { line: 3, reason: "unexpected shape at time" },
    ]);
  });

  it("rejects an entry with an unknown outcome before writing", async () => {
    const dir = await stateDir();
    await expect(appendHistory(dir, { ...entry(1), outcome: "maybe" as HistoryEntry["outcome"] })).rejects.toThrow();
    expect(await readHistory(dir)).toEqual({ entries: [], skipped: [] });
  });

  it("refuses a symlinked history file", async () => {
    const dir = await stateDir();
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/other`, "");
    await symlink(`${dir}/other`, historyPath(dir));
    await expect(appendHistory(dir, entry(1))).rejects.toThrow(/is a symbolic link/);
    expect(await readFile(`${dir}/other`, "utf8")).toBe("");
  });
});
