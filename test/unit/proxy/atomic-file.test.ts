import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileOrNull, restoreFile, writeFileAtomic } from "../../../src/proxy/atomic-file.js";

describe("atomic proxy files", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "bgt-h3-atomic-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes through a temp file, creating the directory, leaving no temp behind", async () => {
    const file = join(dir, "nginx", "live.conf");
    await writeFileAtomic(file, "one\n");
    await writeFileAtomic(file, "two\n");
    expect(await readFile(file, "utf8")).toBe("two\n");
    expect(await readdir(join(dir, "nginx"))).toEqual(["live.conf"]);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it("restores the previous content, or removes a file that did not exist", async () => {
    const file = join(dir, "preview.conf");
    expect(await readFileOrNull(file)).toBeNull();
    await writeFileAtomic(file, "new\n");
    await restoreFile(file, null);
    expect(await readFileOrNull(file)).toBeNull();
    await writeFileAtomic(file, "old\n");
    await writeFileAtomic(file, "new\n");
    await restoreFile(file, "old\n");
    expect(await readFile(file, "utf8")).toBe("old\n");
  });
});
