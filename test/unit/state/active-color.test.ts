import { mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readState, StateFileError, statePath, SymlinkRefusedError, writeState } from "../../../src/state/index.js";
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

describe("state.json", () => {
  it("is null before the first write", async () => {
    expect(await readState(await stateDir())).toBeNull();
  });

  it("round-trips what was written, creating the state directory", async () => {
    const dir = await stateDir();
    const now = new Date("2025-01-02T03:04:05.000Z");
    const written = await writeState(dir, { active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: true, updatedBy: "alice@host (deploy)" }, now);
    expect(written.updatedAt).toBe("2025-01-02T03:04:05.000Z");
    expect(await readState(dir)).toEqual(written);
  });

  it("replaces the file atomically and leaves no temp files behind", async () => {
    const dir = await stateDir();
    await writeState(dir, { active: "blue", previous: null, versions: { blue: "v1" }, warm: false, updatedBy: "t" });
    await writeState(dir, { active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: false, updatedBy: "t" });
    expect(await readdir(dir)).toEqual(["state.json"]);
    expect(JSON.parse(await readFile(statePath(dir), "utf8")).active).toBe("green");
  });

  it("is writable by its owner only", async () => {
    const dir = await stateDir();
    await writeState(dir, { active: "blue", previous: null, versions: {}, warm: false, updatedBy: "t" });
    expect((await stat(statePath(dir))).mode & 0o777 & 0o022).toBe(0);
  });

  it("explains corrupt JSON: which file, and that `bluegreen resolve` rewrites it", async () => {
    const dir = await stateDir();
    await mkdir(dir, { recursive: true });
    await writeFile(statePath(dir), '{"active": "blue",');
    const error = await readState(dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StateFileError);
    expect(String(error)).toContain(`${statePath(dir)} is not valid JSON`);
    expect(String(error)).toContain("bluegreen resolve");
  });

  it("explains a file with the wrong shape", async () => {
    const dir = await stateDir();
    await mkdir(dir, { recursive: true });
    await writeFile(statePath(dir), JSON.stringify({ active: "purple", previous: null, versions: {}, warm: false, updatedAt: "x", updatedBy: "y" }));
    await expect(readState(dir)).rejects.toThrow(/does not have the expected shape \(active: /);
  });

  it("refuses a symlinked state file, for reading and for writing", async () => {
    const dir = await stateDir();
    await mkdir(dir, { recursive: true });
    const target = join(dir, "elsewhere.json");
    await writeFile(target, "{}");
    await symlink(target, statePath(dir));
    await expect(readState(dir)).rejects.toBeInstanceOf(SymlinkRefusedError);
    await expect(writeState(dir, { active: "blue", previous: null, versions: {}, warm: false, updatedBy: "t" })).rejects.toThrow(/is a symbolic link.*Nothing was changed/);
    expect(await readFile(target, "utf8")).toBe("{}");
  });

  it("surfaces a failed rename without leaving a temp file", async () => {
    const dir = await stateDir();
    // A directory in the way makes the final rename fail, for root too.
    await mkdir(statePath(dir), { recursive: true });
    await expect(writeState(dir, { active: "blue", previous: null, versions: {}, warm: false, updatedBy: "t" })).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(await readdir(dir)).toEqual(["state.json"]);
  });
});
