// The example hooks in examples/hooks/ (one per point, docs/hooks.md) run through the real hooks
// runner with the facts bluegreen gives them, and do what their comments say.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { access, chmod, constants, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOOK_POINTS, type HookPoint } from "../../../src/engine/ports.js";
import { createHooksRunner } from "../../../src/hooks/index.js";

const EXAMPLES = join(import.meta.dirname, "../../../examples/hooks");
const DOCS = join(import.meta.dirname, "../../../docs/hooks.md");

let cwd: string;
let fakeBin: string;
let server: Server;
let healthStatus = 200;
let previewUrl = "";

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "bg-hook-examples-"));
  fakeBin = join(cwd, "bin");
  await mkdir(fakeBin);
  server = createServer((req, res) => {
    res.statusCode = req.url === "/health" ? healthStatus : 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  previewUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(cwd, { recursive: true, force: true });
});

const FACTS = {
  BLUEGREEN_STACK: "shop",
  BLUEGREEN_OPERATION: "deploy",
  BLUEGREEN_FROM_COLOR: "blue",
  BLUEGREEN_FROM_VERSION: "v1",
  BLUEGREEN_TO_COLOR: "green",
  BLUEGREEN_TO_VERSION: "v2",
  BLUEGREEN_USER: "alice",
};

async function runExample(point: HookPoint, env: Record<string, string> = {}, path = process.env.PATH ?? "") {
  const runner = createHooksRunner(EXAMPLES, { cwd, baseEnv: { PATH: path } });
  const run = await runner.run(point, { ...FACTS, BLUEGREEN_PHASE: point, BLUEGREEN_PREVIEW_URL: previewUrl, ...env }, { timeoutMs: 10_000 });
  if (!run) throw new Error(`no example for ${point}`);
  return { exitCode: run.exitCode, output: run.tail.join("\n") };
}

describe("the example hooks", () => {
  it("has one executable example per hook point, each in the docs' table", async () => {
    const docs = await readFile(DOCS, "utf8");
    expect((await readdir(EXAMPLES)).sort()).toEqual([...HOOK_POINTS].sort());
    for (const point of HOOK_POINTS) {
      await access(join(EXAMPLES, point), constants.X_OK);
      expect(docs).toContain(`| \`${point}\` |`);
    }
    expect(await createHooksRunner(EXAMPLES, { cwd }).validate()).toEqual([...HOOK_POINTS]);
  });

  it("pre-deploy refuses outside working hours unless FORCE_DEPLOY=1", async () => {
    await writeFile(join(fakeBin, "date"), "#!/bin/sh\necho 03\n");
    await chmod(join(fakeBin, "date"), 0o755);
    const night = `${fakeBin}:${process.env.PATH ?? ""}`;
    const refused = await runExample("pre-deploy", {}, night);
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toContain("no deploys of shop outside 08:00-18:00 (it is 03h)");
    const forced = await runExample("pre-deploy", { FORCE_DEPLOY: "1" }, night);
    expect(forced).toEqual({ exitCode: 0, output: "deploying v2 to green (now live: blue v1)" });
  });

  it("post-build and post-switch report what was built and what is live", async () => {
    expect(await runExample("post-build")).toEqual({ exitCode: 0, output: "built shop v2 for green" });
    expect(await runExample("post-switch", { BLUEGREEN_VERIFY_OK: "true", BLUEGREEN_VERIFY: "61 requests, 0 failed" })).toEqual({
      exitCode: 0,
      output: "shop: green (v2) is live; verify true: 61 requests, 0 failed",
    });
  });

  it("pre-switch fails on a failed smoke test or a preview route whose /health does not answer 200", async () => {
    healthStatus = 200;
    expect(await runExample("pre-switch", { BLUEGREEN_SMOKE_OK: "true", BLUEGREEN_SMOKE: "5/5 checks passed" })).toEqual({ exitCode: 0, output: "preview healthy; smoke 5/5 checks passed" });
    expect(await runExample("pre-switch", { BLUEGREEN_SMOKE_OK: "false", BLUEGREEN_SMOKE: "3/5 checks passed" })).toEqual({ exitCode: 1, output: "smoke: 3/5 checks passed" });
    healthStatus = 503;
    const down = await runExample("pre-switch", { BLUEGREEN_SMOKE_OK: "true" });
    expect(down.exitCode).toBe(1);
    expect(down.output).toContain(`preview ${previewUrl}/health does not answer 200`);
  });

  it("post-deploy appends a line to releases.log next to the config", async () => {
    expect((await runExample("post-deploy")).exitCode).toBe(0);
    expect(await readFile(join(cwd, "releases.log"), "utf8")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ shop v1 -> v2 by alice\n$/);
  });

  it("pre-rollback refuses to roll back past a contracted release; post-rollback reports the rollback", async () => {
    const rollback = { BLUEGREEN_OPERATION: "rollback", BLUEGREEN_FROM_COLOR: "green", BLUEGREEN_FROM_VERSION: "v2", BLUEGREEN_TO_COLOR: "blue", BLUEGREEN_TO_VERSION: "v1" };
    expect((await runExample("pre-rollback", rollback)).exitCode).toBe(0);
    await mkdir(join(cwd, ".bluegreen"), { recursive: true });
    await writeFile(join(cwd, ".bluegreen", "contracted-v2"), "");
    expect(await runExample("pre-rollback", rollback)).toEqual({ exitCode: 1, output: "v2 contracted the schema; v1 cannot run on it" });
    expect(await runExample("post-rollback", rollback)).toEqual({ exitCode: 0, output: "shop rolled back from green (v2) to blue (v1) by alice" });
  });

  it("on-failure prints the outcome, the failed phase and the error's first lines", async () => {
    const run = await runExample("on-failure", { BLUEGREEN_OUTCOME: "failed", BLUEGREEN_FAILED_PHASE: "contract", BLUEGREEN_ERROR: "green (v2) went live, then the contract step failed\n  | boom" });
    expect(run).toEqual({ exitCode: 0, output: "deploy of shop v2 ended failed at contract:\ngreen (v2) went live, then the contract step failed\n  | boom" });
  });
});
