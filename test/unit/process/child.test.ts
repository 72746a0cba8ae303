import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createComposeRunner } from "../../../src/docker/compose-runner.js";
import { runChild } from "../../../src/process/child.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bg-child-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

/** Running (a killed process not yet reaped is a zombie: not alive). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && !/^\d+ \(.*\) [ZX]/.test(stat);
}

async function waitForFile(path: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const text = await readFile(path, "utf8").catch(() => "");
    if (text.trim()) return text.trim();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${path} never appeared`);
}

const base = { cwd: "/", env: process.env, tailLines: 3, killGraceMs: 2000 };

describe("runChild: one bounded external command", () => {
  it("keeps the last lines of stdout and stderr and reports the exit code", async () => {
    const path = await script("out", 'echo one; echo two >&2; echo three; printf "four"; exit 3');
    const seen: string[] = [];
    const run = await runChild(path, [], { ...base, onLine: (l) => seen.push(l) });
    expect(run.exitCode).toBe(3);
    expect(seen).toHaveLength(4);
    expect(run.lines).toEqual(seen.slice(-3));
    expect(run.stopped).toBeUndefined();
  });

  it("on its timeout, SIGTERMs its whole process group, keeps the stop's note, and says it was stopped", async () => {
    const pidFile = join(dir, "pid");
    const path = await script("slow", `sleep 30 & echo $! > ${pidFile}; echo started; wait`);
    const t0 = Date.now();
    const run = await runChild(path, [], { ...base, timeoutMs: 300, onStop: (reason) => `(stopped: ${reason})` });
    expect(run.stopped).toEqual({ reason: "timeout", how: "SIGTERM" });
    expect(run.exitCode).toBeNull();
    expect(run.lines).toEqual(["started", "(stopped: timeout)"]);
    expect(Date.now() - t0).toBeLessThan(1900);
    expect(await alive(Number(await waitForFile(pidFile)))).toBe(false);
  });

  it("SIGKILLs the group after the grace when it ignores SIGTERM", async () => {
    const pidFile = join(dir, "pid");
    const path = await script("stubborn", `trap '' TERM; sleep 30 & echo $! > ${pidFile}; wait; wait`);
    const ac = new AbortController();
    const running = runChild(path, [], { ...base, signal: ac.signal, killGraceMs: 300 });
    const child = Number(await waitForFile(pidFile));
    const t0 = Date.now();
    ac.abort();
    const run = await running;
    expect(run.stopped).toEqual({ reason: "abort", how: "killed after 300 ms: it did not exit on SIGTERM" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(1900);
    expect(await alive(child)).toBe(false);
  });

  it("is not stopped by a signal that was aborted before it started (an on-failure hook still runs after Ctrl-C)", async () => {
    const path = await script("after", "echo ran; exit 0");
    const run = await runChild(path, [], { ...base, signal: AbortSignal.abort() });
    expect(run).toMatchObject({ exitCode: 0, lines: ["ran"] });
    expect(run.stopped).toBeUndefined();
  });

  it("reports a program that cannot start", async () => {
    const run = await runChild(join(dir, "missing"), [], base);
    expect(run.exitCode).toBeNull();
    expect(run.spawnError).toMatch(/ENOENT/);
  });
});

describe("compose one-off containers (runOnce) through runChild", () => {
  it("on a timeout, removes the container by name and stops compose, both talking to the config's docker.host", async () => {
    const log = join(dir, "log");
    const docker = await script("docker", `case "$1" in compose) exit 1;; esac\necho "docker $* DOCKER_HOST=$DOCKER_HOST" >> ${log}`);
    const compose = await script(
      "docker-compose",
      `case "$*" in *version*) echo "docker-compose version 1.29.2"; exit 0;; esac\necho "compose DOCKER_HOST=$DOCKER_HOST" >> ${log}\necho migrating\nsleep 30 & wait`,
    );
    const runner = createComposeRunner({ dockerBin: docker, composeV1Bin: compose, dockerHost: "unix:///run/other-docker.sock", killGraceMs: 500 });
    const result = await runner.runOnce({ project: "shop-green", files: [join(dir, "compose.green.yml")], cwd: dir, env: {} }, "app-green", ["node", "migrate.js"], { timeoutMs: 400 });
    expect(result).toMatchObject({ exitCode: null, timedOut: true, aborted: false });
    expect(result.lines[0]).toBe("migrating");
    expect(result.lines[1]).toMatch(/^\(timed out after 400 ms: container shop-green-app-green-run-\w+ removed\)$/);
    const calls = (await waitForFile(log)).split("\n");
    for (let i = 0; i < 100 && calls.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 10));
      calls.splice(0, calls.length, ...(await readFile(log, "utf8")).trim().split("\n"));
    }
    expect(calls).toEqual(["compose DOCKER_HOST=unix:///run/other-docker.sock", expect.stringMatching(/^docker rm -f shop-green-app-green-run-\w+ DOCKER_HOST=unix:\/\/\/run\/other-docker\.sock$/)]);
  });
});
