import { chmod, chown, lstat, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensurePrivateDir, groupId } from "../../../src/fs/private-dir.js";
import { SymlinkRefusedError } from "../../../src/fs/no-follow.js";

const isRoot = process.getuid?.() === 0;

describe("ensurePrivateDir: the run dir holding the proxies' admin sockets is the owner's only", () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), "bg-private-"));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("creates a missing directory owner-only, even under umask 000", async () => {
    const dir = join(base, "a", "run");
    const old = process.umask(0);
    try {
      await ensurePrivateDir(dir, { what: "proxy.runDir" });
    } finally {
      process.umask(old);
    }
    expect((await lstat(dir)).mode & 0o7777).toBe(0o700);
  });

  it("takes away what group and others could do in an existing directory", async () => {
    const dir = join(base, "run");
    await mkdir(dir);
    await chmod(dir, 0o777);
    await ensurePrivateDir(dir, { what: "proxy.runDir" });
    expect((await lstat(dir)).mode & 0o7777).toBe(0o700);
  });

  it("with a group, lets that group in (sockets created inside get it too) and nobody else", async () => {
    const dir = join(base, "run");
    await mkdir(dir, { mode: 0o777 });
    const gid = process.getgid?.() ?? 0;
    await ensurePrivateDir(dir, { what: "proxy.runDir", group: gid });
    const info = await lstat(dir);
    expect(info.mode & 0o7777).toBe(0o2750);
    expect(info.gid).toBe(gid);
  });

  it("refuses a symlinked directory", async () => {
    const real = join(base, "real");
    await mkdir(real);
    await symlink(real, join(base, "run"));
    await expect(ensurePrivateDir(join(base, "run"), { what: "proxy.runDir" })).rejects.toBeInstanceOf(SymlinkRefusedError);
  });

  it.runIf(isRoot)("refuses a directory another user owns, saying how to fix it, changing nothing", async () => {
    const dir = join(base, "run");
    await mkdir(dir);
    await chmod(dir, 0o755);
    await chown(dir, 65534, 65534);
    await expect(ensurePrivateDir(dir, { what: "proxy.runDir" })).rejects.toThrow(/proxy\.runDir .* belongs to uid 65534.*chown/);
    expect((await lstat(dir)).mode & 0o777).toBe(0o755);
  });

  it("resolves a group by name or number, and names an unknown one", () => {
    expect(groupId("0")).toBe(0);
    expect(groupId("root")).toBe(0);
    expect(() => groupId("no-such-group-xyz")).toThrow(/no-such-group-xyz.*\/etc\/group/);
  });
});
