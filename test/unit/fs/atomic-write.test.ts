import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { restoreFile, writeFileAtomic } from "../../../src/fs/atomic-write.js";
import { readFileNoFollow, SymlinkRefusedError } from "../../../src/fs/no-follow.js";

const REPO = resolve(import.meta.dirname, "../../..");

describe("writeFileAtomic, the one atomic write", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "bg-atomic-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("replaces the file whole through a temp file, creating the directory when asked, leaving no temp behind", async () => {
    const file = join(dir, "nginx", "live.conf");
    await writeFileAtomic(file, "one\n", { createDir: true });
    await writeFileAtomic(file, "two\n", { createDir: true });
    expect(await readFile(file, "utf8")).toBe("two\n");
    expect(await readdir(join(dir, "nginx"))).toEqual(["live.conf"]);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it("throws when the directory does not exist and createDir is not set, creating nothing", async () => {
    await expect(writeFileAtomic(join(dir, "missing", "junit.xml"), "x")).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a symlink at the destination, leaving the link and its target as they were", async () => {
    const target = join(dir, "victim");
    await writeFile(target, "keep\n");
    const link = join(dir, "state.json");
    await symlink(target, link);
    await expect(writeFileAtomic(link, "evil\n")).rejects.toBeInstanceOf(SymlinkRefusedError);
    expect(await readFile(target, "utf8")).toBe("keep\n");
    expect(await readdir(dir)).toEqual(["state.json", "victim"]);
  });

  it("gives the file exactly the mode asked for, whatever the umask", async () => {
    const file = join(dir, "secret.json");
    const old = process.umask(0o000);
    try {
      await writeFileAtomic(file, "{}", { mode: 0o600 });
    } finally {
      process.umask(old);
    }
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const loose = process.umask(0o077);
    try {
      await writeFileAtomic(file, "{}", { mode: 0o644 });
    } finally {
      process.umask(loose);
    }
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it("restores the previous content, or removes a file that did not exist", async () => {
    const file = join(dir, "preview.conf");
    expect(await readFileNoFollow(file)).toBeNull();
    await writeFileAtomic(file, "new\n");
    await restoreFile(file, null);
    expect(await readFileNoFollow(file)).toBeNull();
    await writeFileAtomic(file, "old\n");
    await writeFileAtomic(file, "new\n");
    await restoreFile(file, "old\n");
    expect(await readFile(file, "utf8")).toBe("old\n");
  });

  it("is the only implementation: no other module renames a temp file into place or wraps it", () => {
    const hits = execFileSync("git", ["grep", "-n", "-E", "\\brename\\(|function writeFileAtomic|writeFileAtomic as ", "--", "src", "smoke", "load", "bench", "faults", "bin"], { cwd: REPO, encoding: "utf8" })
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("src/fs/atomic-write.ts:"));
    expect(hits).toEqual([]);
  });
});
