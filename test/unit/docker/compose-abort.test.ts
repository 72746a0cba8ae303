import { readFileSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createComposeRunner } from "../../../src/docker/compose-runner.js";
import { isAbort } from "../../../src/engine/errors.js";

/**
 * A stand-in docker-compose: answers `version`, and for `build` starts a long child of its own
 * (like compose's builder) and writes both pids, then waits. With IGNORE_TERM it ignores SIGTERM.
 */
const FAKE_COMPOSE = `#!/bin/sh
case "$*" in *version*) echo "docker-compose version 1.29.2"; exit 0;; esac
[ -n "$IGNORE_TERM" ] && trap '' TERM
sleep 60 &
echo "$$ $!" > "$PIDS"
echo "Step 1/2 : RUN sleep 60"
wait
`;

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bg-compose-abort-"));
  await writeFile(join(dir, "docker-compose"), FAKE_COMPOSE);
  await chmod(join(dir, "docker-compose"), 0o755);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Running, not a zombie: a killed process that init has not reaped yet has exited all the same. */
const alive = (pid: number): boolean => {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

async function pidsOf(file: string): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const text = await readFile(file, "utf8").catch(() => "");
    if (text.trim()) return text.trim().split(" ").map(Number);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("the fake compose never started");
}

async function interruptedBuild(env: Record<string, string>, killGraceMs: number) {
  const runner = createComposeRunner({ dockerBin: join(dir, "no-docker"), composeV1Bin: join(dir, "docker-compose"), killGraceMs });
  const controller = new AbortController();
  const pidsFile = join(dir, "pids");
  const lines: string[] = [];
  const build = runner.build({ project: "shop-green", files: [join(dir, "compose.green.yml")], cwd: dir, env: { ...env, PIDS: pidsFile } }, (l) => lines.push(l), { signal: controller.signal });
  build.catch(() => undefined);
  const pids = await pidsOf(pidsFile);
  const t0 = Date.now();
  controller.abort();
  const err = await build.then(() => null, (e: unknown) => e);
  return { err, ms: Date.now() - t0, pids, lines, signal: controller.signal };
}

describe("compose runner: an abort reaches the compose child's whole process group", () => {
  it("SIGTERMs compose and the children it started, and rejects as aborted at once", async () => {
    const { err, ms, pids, signal } = await interruptedBuild({}, 5_000);
    expect(isAbort(err, signal)).toBe(true);
    expect(ms).toBeLessThan(2_000);
    expect(pids.filter(alive)).toEqual([]);
  });

  it("SIGKILLs the group after the grace when compose ignores SIGTERM", async () => {
    const { err, ms, pids } = await interruptedBuild({ IGNORE_TERM: "1" }, 300);
    expect((err as Error).name).toBe("AbortError");
    expect((err as Error).message).toMatch(/killed after 300 ms/);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(3_000);
    expect(pids.filter(alive)).toEqual([]);
  });

  it("does not start compose at all when the signal is already aborted", async () => {
    const runner = createComposeRunner({ dockerBin: join(dir, "no-docker"), composeV1Bin: join(dir, "docker-compose") });
    const pidsFile = join(dir, "pids");
    const err = await runner.up({ project: "p", files: [], cwd: dir, env: { PIDS: pidsFile } }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((err as Error).name).toBe("AbortError");
    expect(await readFile(pidsFile, "utf8").catch(() => "none")).toBe("none");
  });
});
