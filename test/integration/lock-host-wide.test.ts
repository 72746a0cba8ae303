/**
 * The stack lock is host-wide: two checkouts of one stack (their own bluegreen.yml and state
 * directory each) exclude each other. No container is started: the second operation is refused
 * before it changes anything.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoStackConfigYaml } from "../../testkit/demo-stack-config.js";
import { CLI } from "../../testkit/bluegreen-stack.js";
import { REPO_ROOT } from "../../testkit/demo-stack.js";

const exec = promisify(execFile);
let base = "";
let holder: ChildProcess | null = null;
const stack = `bgt-lock-${randomBytes(3).toString("hex")}`;
const checkout = (name: string) => path.join(base, name, "bluegreen.yml");

async function writeCheckout(name: string): Promise<void> {
  const dir = path.join(base, name);
  await mkdir(dir, { recursive: true });
  await writeFile(
    checkout(name),
    demoStackConfigYaml({ repoRoot: REPO_ROOT, stack, proxy: "nginx", proxyPort: 18741, previewPort: 18742, runDir: path.join(dir, "run"), stateDir: path.join(dir, "state"), verifyDuration: "1s" }),
  );
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: base, env: { ...process.env, NO_COLOR: "1", CI: "true" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "bgt-lock-"));
  await writeCheckout("checkout-a");
  await writeCheckout("checkout-b");
});
afterAll(async () => {
  holder?.kill("SIGKILL");
  if (base) await rm(base, { recursive: true, force: true });
  // Nothing should exist; if a regression let the second deploy run, remove what it made.
  const docker = (args: string[]) => exec("docker", args).then((r) => r.stdout.trim(), () => "");
  for (const project of [stack, `${stack}-blue`, `${stack}-green`]) {
    const ids = (await docker(["ps", "-aq", "--filter", `label=com.docker.compose.project=${project}`])).split("\n").filter(Boolean);
    if (ids.length) await docker(["rm", "-f", ...ids]);
  }
  await docker(["network", "rm", `${stack}_net`]);
  const volumes = (await docker(["volume", "ls", "-q", "--filter", `name=${stack}`])).split("\n").filter(Boolean);
  if (volumes.length) await docker(["volume", "rm", ...volumes]);
});

describe("the stack lock is shared by every checkout of the stack on this host", () => {
  it("a deploy from a second checkout of the same stack exits 4 naming the holder, changing nothing", async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "node_modules/vite-node/vite-node.mjs"), "test/integration/fixtures/hold-stack-lock.ts", checkout("checkout-a")], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    holder = child;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the holder did not take the lock: ${output}`)), 30_000);
      child.stdout.on("data", (d: Buffer) => {
        output += d.toString();
        if (/locked \d+/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    });

    const run = await runCli(["-c", checkout("checkout-b"), "deploy", "--version", "v2", "--yes", "--json"]);
    expect(run.code, run.stdout + run.stderr).toBe(4);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1) as string) as { outcome: string; error: { kind: string; message: string } };
    expect(result.error.kind).toBe("locked");
    expect(result.error.message).toContain(`(pid ${child.pid}) running \`deploy --version v9\``);
    expect(result.error.message).toContain(checkout("checkout-a"));
    // Nothing ran: no compose phase started.
    expect(run.stdout).not.toContain('"phase":"shared"');

    // status from the second checkout shows the other checkout's lock.
    const status = await runCli(["-c", checkout("checkout-b"), "status", "--json"]);
    const doc = JSON.parse(status.stdout) as { lock: { pid: number; command: string } | null };
    expect(doc.lock).toMatchObject({ pid: child.pid, command: "deploy --version v9" });
  }, 120_000);
});
