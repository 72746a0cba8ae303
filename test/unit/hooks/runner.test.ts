import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHooksRunner } from "../../../src/hooks/index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bg-hooks-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function hook(name: string, body: string, mode = 0o755): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, mode);
  return path;
}

/** Running (a killed child whose parent died may linger as a zombie until it is reaped: not alive). */
const alive = async (pid: number): Promise<boolean> => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && !/^\d+ \(.*\) Z/.test(stat);
};

describe("the hooks runner (real processes)", () => {
  it("lists the hooks present and ignores files that are not hook points", async () => {
    await hook("pre-deploy", "exit 0");
    await hook("post-switch", "exit 0");
    await hook("pre-deploy.sample", "exit 0");
    expect(await createHooksRunner(dir, { cwd: dir }).validate()).toEqual(["pre-deploy", "post-switch"]);
  });

  it("has no hooks when the directory does not exist", async () => {
    const runner = createHooksRunner(join(dir, "missing"), { cwd: dir });
    expect(await runner.validate()).toEqual([]);
    expect(await runner.run("pre-deploy", {}, { timeoutMs: 1000 })).toBeNull();
  });

  it("refuses a hook that is not executable, naming the fix", async () => {
    await hook("pre-switch", "exit 0", 0o644);
    await expect(createHooksRunner(dir, { cwd: dir }).validate()).rejects.toThrow(/pre-switch is not executable \(chmod \+x/);
  });

  it("runs the hook with its facts in the environment and the config's directory as cwd, without a shell around it", async () => {
    await hook("pre-deploy", 'echo "stack=$BLUEGREEN_STACK to=$BLUEGREEN_TO_VERSION args=$#"; pwd; echo oops >&2');
    const run = await createHooksRunner(dir, { cwd: dir }).run("pre-deploy", { BLUEGREEN_STACK: "shop", BLUEGREEN_TO_VERSION: "v2; rm -rf /" }, { timeoutMs: 5000 });
    expect(run).toMatchObject({ point: "pre-deploy", exitCode: 0, timedOut: false });
    expect(run?.tail).toEqual(["stack=shop to=v2; rm -rf / args=0", dir, "oops"]);
  });

  it("reports a non-zero exit with the last output lines", async () => {
    await hook("pre-switch", 'i=0; while [ $i -lt 30 ]; do echo "line $i"; i=$((i+1)); done; exit 7');
    const run = await createHooksRunner(dir, { cwd: dir }).run("pre-switch", {}, { timeoutMs: 5000 });
    expect(run?.exitCode).toBe(7);
    expect(run?.tail).toHaveLength(20);
    expect(run?.tail.at(-1)).toBe("line 29");
  });

  it("kills the hook's whole process group when it runs past its timeout", async () => {
    const pidFile = join(dir, "child.pid");
    await hook("pre-deploy", `sleep 30 & echo $! > ${pidFile}; echo started; wait`);
    const t0 = Date.now();
    const run = await createHooksRunner(dir, { cwd: dir }).run("pre-deploy", {}, { timeoutMs: 300 });
    const childPid = Number(await readFile(pidFile, "utf8"));
    expect(run).toMatchObject({ exitCode: null, timedOut: true, tail: ["started"] });
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(await alive(childPid)).toBe(false);
  });

  it("ends the hook when the operation is aborted", async () => {
    await hook("post-deploy", "sleep 30");
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const run = await createHooksRunner(dir, { cwd: dir }).run("post-deploy", {}, { timeoutMs: 30_000, signal: ac.signal });
    expect(run?.exitCode).toBeNull();
    expect(run?.durationMs).toBeLessThan(4000);
  });
});
