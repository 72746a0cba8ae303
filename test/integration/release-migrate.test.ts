// The release around the switch on the real demo stack (HAProxy, PostgreSQL from Debian's package):
// a failing migration changes nothing, v1 → v2 with its migration under load loses no request and no
// write, rollback to v1 works on the migrated schema, and operator hooks run with their facts, their
// timeout, and stop the deploy before the switch when they fail; a failing contract step after the
// switch fails the deploy without undoing it, `bluegreen migrate --contract` finishes it, and the plain
// `bluegreen history` shows every migration and hook run.
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdir, readFile, rm, writeFile, appendFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBluegreenStack, type BluegreenStack } from "../../testkit/bluegreen-stack.js";
import { run, sleep } from "../../testkit/demo-stack.js";

let stack: BluegreenStack;
let hooksDir: string;

const psql = async (sql: string): Promise<string> => {
  const id = (await run("docker", ["ps", "-q", "--filter", `label=com.docker.compose.project=${stack.demo.name}`, "--filter", "label=com.docker.compose.service=postgres"])).stdout.trim();
  const out = await run("docker", ["exec", id, "psql", "-U", "bluegreen", "-d", "bluegreen", "-tAc", sql], { timeoutMs: 15_000 });
  return out.stdout.trim();
};
const hasAuthorColumn = async () => (await psql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'author'")) === "1";

async function postNote(base: string, text: string): Promise<{ status: number; id: number | null; color: string | null; error?: string }> {
  const res = await fetch(`${base}/notes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }), signal: AbortSignal.timeout(5000) });
  const body = (await res.json().catch(() => ({}))) as { note?: { id: number }; error?: string };
  return { status: res.status, id: body.note?.id ?? null, color: res.headers.get("x-app-color"), ...(body.error ? { error: body.error } : {}) };
}

async function notes(base: string): Promise<{ color: string | null; version: string | null; bodies: Map<number, { body: string; author?: string }> }> {
  const res = await fetch(`${base}/notes`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { notes: Array<{ id: number; body: string; author?: string }> };
  return { color: res.headers.get("x-app-color"), version: res.headers.get("x-app-version"), bodies: new Map(body.notes.map((n) => [n.id, n])) };
}

async function color(base: string): Promise<string | null> {
  const res = await fetch(`${base}/`, { signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return res.headers.get("x-app-color");
}

/** wrk on the live route until stopped (SIGINT: it prints its summary), bounded by -d. */
function startWrk(url: string, maxSeconds: number): { child: ChildProcess; stop(): Promise<{ requests: number; socketErrors: number; non2xx: number; text: string }> } {
  const child = spawn("wrk", ["-t2", "-c8", `-d${maxSeconds}s`, "--timeout", "5s", url], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  // wrk missing (ENOENT) must fail the test at once, not hang it until its timeout.
  let spawnError: Error | null = null;
  const exited = new Promise<void>((resolve) => {
    child.on("close", () => resolve());
    child.on("error", (err) => {
      spawnError = new Error(`wrk could not be started (${err.message}); \`bash scripts/ensure-tools.sh\` installs it`);
      resolve();
    });
  });
  return {
    child,
    async stop() {
      child.kill("SIGINT");
      await exited;
      if (spawnError) throw spawnError;
      const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN);
      const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
      const socketErrors = errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
      return { requests, socketErrors, non2xx, text };
    },
  };
}

async function cliJson(args: string[], env?: Record<string, string>) {
  const r = await stack.cli([...args, "--json", "--yes"], { ...(env ? { env } : {}), timeoutMs: 240_000 });
  const lines = r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const result = lines.at(-1) as { outcome: string; message: string; phases: Array<{ phase: string; status: string }>; active: string | null; stateNow?: string; nextStep?: string };
  return { ...r, result, events: lines };
}

async function history(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path.join(stack.stateDir, "history.jsonl"), "utf8");
  return text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  stack = await startBluegreenStack({ name: "bgt-rel", proxy: "haproxy", proxyPort: 18480, previewPort: 18481, verifyDuration: "2s", drainTimeout: "5s" });
  hooksDir = path.join(stack.dir, "hooks");
  await mkdir(hooksDir);
  await appendFile(
    stack.configPath,
    `hooks: { dir: ${JSON.stringify(hooksDir)}, timeout: 2s }\nmigrate:\n  service: app\n  command: ["node", "/app/migrate.js"]\n  timeout: 90s\n`,
  );
}, 300_000);

afterAll(async () => {
  await stack?.destroy();
}, 120_000);

describe("release: migrations on the demo's PostgreSQL", () => {
  it("`bluegreen migrate` makes v1's schema in a one-off container of the live release and records it", async () => {
    const r = await cliJson(["migrate"]);
    expect(r.result.outcome, r.stdout + r.stderr).toBe("success");
    expect(r.result.phases.map((p) => `${p.phase}:${p.status}`)).toContain("migrate:ok");
    expect(await psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM schema_migrations")).toBe("1");
    expect(await hasAuthorColumn()).toBe(false);
    expect((await postNote(stack.demo.liveUrl, "before any release")).status).toBe(201);
    const last = (await history()).at(-1);
    expect(last).toMatchObject({ operation: "migrate", outcome: "success", migrations: [{ step: "expand", color: "blue", version: "v1", ok: true, exitCode: 0 }] });
    // Every one-off container is gone afterwards (--rm).
    expect((await run("docker", ["ps", "-aq", "--filter", `name=${stack.demo.name}-blue-app-blue-run`])).stdout.trim()).toBe("");
  }, 120_000);

  it("a failing migration stops the deploy before green starts: blue v1 keeps serving and the schema is unchanged", async () => {
    const r = await cliJson(["deploy", "--version", "v2"], { APP_FAILURE: "migration-error" });
    expect(r.code).toBe(1);
    expect(r.result.outcome).toBe("failed");
    expect(r.result.message).toContain("the migration failed, so green v2 was not started");
    expect(r.result.message).toContain("migrate: FAILED, rolled back (nothing changed)");
    expect(r.result.phases.map((p) => p.phase)).not.toContain("start");
    expect(r.result.active).toBe("blue");
    expect(await color(stack.demo.liveUrl)).toBe("blue");
    expect(await hasAuthorColumn()).toBe(false);
    expect(await psql("SELECT max(id) FROM schema_migrations")).toBe("1");
    expect((await history()).at(-1)).toMatchObject({ operation: "deploy", outcome: "failed", migrations: [{ step: "expand", version: "v2", ok: false, exitCode: 1 }] });
  }, 240_000);

  it("deploys v1 → v2 with its migration under load: wrk loses no request, every write made meanwhile is readable from both colors", async () => {
    const wrk = startWrk(`${stack.demo.liveUrl}/`, 200);
    const written: number[] = [];
    const failedWrites: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 20_000; i++) {
        try {
          const w = await postNote(stack.demo.liveUrl, `during-switch-${i}`);
          if (w.status === 201 && w.id !== null) written.push(w.id);
          else failedWrites.push(`#${i}: HTTP ${w.status} from ${w.color ?? "?"}: ${w.error ?? ""}`);
        } catch (err) {
          failedWrites.push(`#${i}: ${(err as Error).message}`);
        }
        await sleep(20);
      }
    })();
    await sleep(1000);
    const r = await cliJson(["deploy", "--version", "v2"]);
    await sleep(1000);
    writing = false;
    await writer;
    const load = await wrk.stop();

    expect(r.result.outcome, r.stdout.slice(-3000) + r.stderr).toBe("success");
    const trail = r.result.phases.map((p) => p.phase);
    expect(trail.indexOf("migrate")).toBeGreaterThan(trail.indexOf("build"));
    expect(trail.indexOf("migrate")).toBeLessThan(trail.indexOf("start"));
    expect(r.result.active).toBe("green");
    expect(await hasAuthorColumn()).toBe(true);

    console.log(`v1→v2 with migration under load: wrk ${load.requests} requests, ${load.non2xx} non-2xx, ${load.socketErrors} socket errors; ${written.length} writes, ${failedWrites.length} failed`);
    expect(load.requests, load.text).toBeGreaterThan(1000);
    expect(load.non2xx, load.text).toBe(0);
    expect(load.socketErrors, load.text).toBe(0);
    expect(failedWrites).toEqual([]);
    expect(written.length).toBeGreaterThan(50);

    // Live (green v2) reads every write, with the default author for v1's; blue v1, warm, through
    // the preview route, reads them all on the migrated schema.
    const fromGreen = await notes(stack.demo.liveUrl);
    expect(fromGreen).toMatchObject({ color: "green", version: "v2" });
    for (const id of written) expect(fromGreen.bodies.has(id), `note ${id} from green`).toBe(true);
    expect([...fromGreen.bodies.values()].every((n) => typeof n.author === "string")).toBe(true);
    const { ports } = await stack.openEngine();
    await ports.proxy.pointPreview("blue");
    const fromBlue = await notes(stack.demo.previewUrl);
    expect(fromBlue.color).toBe("blue");
    for (const id of written) expect(fromBlue.bodies.has(id), `note ${id} from blue`).toBe(true);

    expect((await history()).at(-1)).toMatchObject({ operation: "deploy", outcome: "success", migrations: [{ step: "expand", color: "green", version: "v2", ok: true }] });
  }, 300_000);

  it("rolls back to v1, which reads and writes notes on the migrated schema", async () => {
    const r = await cliJson(["rollback"]);
    expect(r.result.outcome, r.stdout.slice(-2000)).toBe("success");
    expect(await color(stack.demo.liveUrl)).toBe("blue");
    const w = await postNote(stack.demo.liveUrl, "written by v1 after the rollback");
    expect(w).toMatchObject({ status: 201, color: "blue" });
    const after = await notes(stack.demo.liveUrl);
    expect(after.bodies.get(w.id as number)?.body).toBe("written by v1 after the rollback");
    expect(await psql(`SELECT author FROM notes WHERE id = ${Number(w.id)}`)).toBe("anonymous");
  }, 240_000);
});

describe("release: operator hooks on the real CLI", () => {
  it("gives a hook the facts in its environment and stops the deploy when pre-deploy runs past hooks.timeout", async () => {
    const envFile = path.join(stack.dir, "hook-env.txt");
    const pidFile = path.join(stack.dir, "hook-child.pid");
    await writeFile(path.join(hooksDir, "pre-deploy"), `#!/bin/sh\nenv | grep '^BLUEGREEN_' | sort > ${JSON.stringify(envFile)}\necho "waiting for the change board"\nsleep 30 &\necho $! > ${JSON.stringify(pidFile)}\nwait\n`);
    await chmod(path.join(hooksDir, "pre-deploy"), 0o755);
    const t0 = Date.now();
    const r = await cliJson(["deploy", "--version", "v3"]);
    const took = Date.now() - t0;
    expect(r.code).toBe(1);
    expect(r.result.message).toContain("the pre-deploy hook");
    expect(r.result.message).toContain("timed out after 2 s (hooks.timeout)");
    expect(r.result.message).toContain("| waiting for the change board");
    expect(r.result.stateNow).toContain("nothing was built or started");
    expect(took).toBeLessThan(30_000);
    const env = await readFile(envFile, "utf8");
    expect(env).toContain(`BLUEGREEN_STACK=${stack.demo.name}\n`);
    expect(env).toContain("BLUEGREEN_OPERATION=deploy\n");
    expect(env).toContain("BLUEGREEN_PHASE=pre-deploy\n");
    expect(env).toContain("BLUEGREEN_FROM_COLOR=blue\n");
    expect(env).toContain("BLUEGREEN_TO_COLOR=green\n");
    expect(env).toContain("BLUEGREEN_TO_VERSION=v3\n");
    expect(env).toMatch(/BLUEGREEN_USER=\S+/);
    // The lock is free again and the hook's process group is gone (no sleep left behind).
    const stat = await readFile(`/proc/${Number(await readFile(pidFile, "utf8"))}/stat`, "utf8").catch(() => null);
    expect(stat === null || /^\d+ \(.*\) Z/.test(stat), `the hook's child is still running: ${stat ?? ""}`).toBe(true);
    expect((await history()).at(-1)).toMatchObject({ outcome: "failed", hooks: [{ point: "pre-deploy", ok: false, timedOut: true }] });
  }, 120_000);

  it("stops the deploy before the switch when the pre-switch hook fails, with the hook's output; blue keeps serving", async () => {
    await writeFile(path.join(hooksDir, "pre-deploy"), "#!/bin/sh\nexit 0\n");
    await writeFile(path.join(hooksDir, "pre-switch"), `#!/bin/sh\necho "smoke said: $BLUEGREEN_SMOKE"\necho "change freeze: no switch today" >&2\nexit 3\n`);
    await chmod(path.join(hooksDir, "pre-switch"), 0o755);
    const r = await cliJson(["deploy", "--version", "v3"]);
    expect(r.code).toBe(1);
    expect(r.result.message).toContain("the pre-switch hook stopped the deploy before the switch");
    expect(r.result.message).toContain("exited with 3");
    expect(r.result.message).toContain("| change freeze: no switch today");
    expect(r.result.message).toMatch(/\| smoke said: \d+\/\d+ checks passed/);
    const trail = r.result.phases.map((p) => `${p.phase}:${p.status}`);
    expect(trail).toContain("hook:pre-deploy:ok");
    expect(trail).toContain("hook:pre-switch:failed");
    expect(trail.some((p) => p.startsWith("switch:"))).toBe(false);
    expect(r.result.active).toBe("blue");
    expect(await color(stack.demo.liveUrl)).toBe("blue");
  }, 240_000);
});

describe("release: the contract step after the old color stopped", () => {
  const authorDefault = () => psql("SELECT coalesce(column_default, '') FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'author'");

  it("a failing contract step fails the deploy (exit 1) and undoes nothing: green v2 live, blue stopped, schema unchanged; `migrate --contract` then finishes it and `history` shows each run", async () => {
    await rm(path.join(hooksDir, "pre-switch"));
    const config = await readFile(stack.configPath, "utf8");
    const contracting = config
      .replace("keepOldWarm: true", "keepOldWarm: false")
      .replace('  command: ["node", "/app/migrate.js"]\n', '  command: ["node", "/app/migrate.js"]\n  contract: ["node", "/app/migrate.js", "--contract"]\n');
    expect(contracting).toContain("--contract");
    expect(contracting).toContain("keepOldWarm: false");
    await writeFile(stack.configPath, contracting);
    expect(await authorDefault()).toContain("anonymous");

    const r = await cliJson(["deploy", "--version", "v2"], { APP_FAILURE: "contract-error" });
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(1);
    expect(r.result.outcome).toBe("failed");
    expect(r.result.message).toContain("green (v2) went live, then the contract step failed");
    expect(r.result.message).toContain("| migrate: FAILED, rolled back (nothing changed)");
    expect(r.result.stateNow).toContain("green (v2) is live and serves all traffic; blue (v1) was drained and stopped; nothing was rolled back");
    expect(r.result.nextStep).toContain("bluegreen migrate --contract");
    const trail = r.result.phases.map((p) => `${p.phase}:${p.status}`);
    expect(trail.slice(trail.indexOf("stop:ok"))).toEqual(["stop:ok", "contract:failed"]);
    expect(r.events.some((e) => e.type === "phase" && e.phase === "contract" && e.status === "failed")).toBe(true);
    // Nothing undone: green serves, blue's containers are stopped (not started again), the default is still there.
    expect(r.result.active).toBe("green");
    expect(await color(stack.demo.liveUrl)).toBe("green");
    const blue = `label=com.docker.compose.project=${stack.demo.name}-blue`;
    expect((await run("docker", ["ps", "-q", "--filter", blue])).stdout.trim()).toBe("");
    expect((await run("docker", ["ps", "-aq", "--filter", blue])).stdout.trim()).not.toBe("");
    expect(await authorDefault()).toContain("anonymous");
    expect((await history()).at(-1)).toMatchObject({
      operation: "deploy",
      outcome: "failed",
      failedPhases: ["contract"],
      migrations: [
        { step: "expand", color: "green", version: "v2", ok: true },
        { step: "contract", color: "green", version: "v2", ok: false, exitCode: 1 },
      ],
    });
    const recorded = (await history()).at(-1) as { migrations: Array<{ output?: string[] }> };
    expect(recorded.migrations[1]?.output?.some((l) => l.includes("migrate: FAILED, rolled back (nothing changed)"))).toBe(true);

    const fixed = await cliJson(["migrate", "--contract"]);
    expect(fixed.result.outcome, fixed.stdout.slice(-2000)).toBe("success");
    expect(await authorDefault()).toBe("");
    const v2Write = await postNote(stack.demo.liveUrl, "written by v2 after the contract");
    expect(v2Write).toMatchObject({ status: 201, color: "green" });

    const text = await stack.cli(["history", "--limit", "20"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/ failed {6}deploy --version v2 .*failed: contract\n {4}hook {6}pre-deploy {2}ok [\d.]+ s\n {4}migrate {3}green v2 {2}node \/app\/migrate\.js {2}ok [\d.]+ s\n {4}contract {2}green v2 {2}node \/app\/migrate\.js --contract {2}FAILED: exit 1 after [\d.]+ s\n/);
    expect(text.stdout).toContain("        | migrate: FAILED, rolled back (nothing changed)");
    expect(text.stdout).toMatch(/ success {5}migrate --contract .*\n {4}contract {2}green v2 {2}node \/app\/migrate\.js --contract {2}ok [\d.]+ s/);
    // The first test's `bluegreen migrate` on its own, and the hooks of the deploys stopped by them.
    expect(text.stdout).toMatch(/ success {5}migrate .*\n {4}migrate {3}blue v1 {2}node \/app\/migrate\.js {2}ok/);
    expect(text.stdout).toMatch(/ {4}hook {6}pre-deploy {2}FAILED: timed out after [\d.]+ s\n {8}\| waiting for the change board/);
    expect(text.stdout).toMatch(/ {4}hook {6}pre-switch {2}FAILED: exit 3 after/);
  }, 300_000);
});
