import { chmod, lstat, mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/index.js";
import { loadStackConfig } from "../../../src/cli/open-stack.js";
import { makeStackDir } from "../config/helpers.js";

describe("every command makes the run dir and the state dir private before using them", () => {
  it("makes an existing, world-enterable run dir and state dir owner-only when the stack's config is loaded", async () => {
    const { dir, cleanup } = await makeStackDir();
    try {
      await mkdir(join(dir, ".bluegreen", "run"), { recursive: true });
      await chmod(join(dir, ".bluegreen"), 0o755);
      await chmod(join(dir, ".bluegreen", "run"), 0o777);
      await loadStackConfig(join(dir, "bluegreen.yml"), {});
      expect((await lstat(join(dir, ".bluegreen", "run"))).mode & 0o7777).toBe(0o700);
      expect((await lstat(join(dir, ".bluegreen"))).mode & 0o7777).toBe(0o700);
    } finally {
      await cleanup();
    }
  });

  it("creates a missing run dir owner-only, so the proxy's bind mount never makes it world-readable", async () => {
    const { dir, cleanup } = await makeStackDir();
    try {
      const old = process.umask(0);
      try {
        await loadStackConfig(join(dir, "bluegreen.yml"), {});
      } finally {
        process.umask(old);
      }
      expect((await lstat(join(dir, ".bluegreen", "run"))).mode & 0o7777).toBe(0o700);
    } finally {
      await cleanup();
    }
  });

  it("refuses a symlinked run dir as a configuration error naming proxy.runDir", async () => {
    const { dir, cleanup } = await makeStackDir();
    try {
      await mkdir(join(dir, "elsewhere"));
      await mkdir(join(dir, ".bluegreen"));
      await symlink(join(dir, "elsewhere"), join(dir, ".bluegreen", "run"));
      const error = await loadStackConfig(join(dir, "bluegreen.yml"), {}).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues[0]?.path).toBe("proxy.runDir");
      expect((error as Error).message).toMatch(/symbolic link/);
    } finally {
      await cleanup();
    }
  });
});
