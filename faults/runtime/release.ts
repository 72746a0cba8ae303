/**
 * kill -9 of a deploy during the release steps around the switch: the migrate phase (a one-off
 * container of the new release running the demo's migrate.js against the shared PostgreSQL) and an
 * operator hook (a pre-switch hook that takes its time). Both reuse the kill scenario's checks (no
 * request lost, status names the stale lock, resolve settles) with the stack's config extended for
 * the scenario only. After the kill during migrate, the schema must be all or nothing: the
 * migration runs in one transaction, so notes.author exists exactly when schema_migrations says 2.
 */
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { run } from "../../testkit/demo-stack.js";
import type { ScenarioResult } from "../types.js";
import type { FaultStack } from "./fault-stack.js";
import { killScenario } from "./kill.js";

/** Runs `body` with extra bluegreen.yml keys, restoring the stack's own config afterwards. */
async function withConfig<T>(stack: FaultStack, extra: string, body: () => Promise<T>): Promise<T> {
  const original = await readFile(stack.bg.configPath, "utf8");
  await writeFile(stack.bg.configPath, `${original}${extra}`);
  try {
    return await body();
  } finally {
    await writeFile(stack.bg.configPath, original);
  }
}

async function psql(stack: FaultStack, sql: string): Promise<string> {
  const id = (await run("docker", ["ps", "-q", "--filter", `label=com.docker.compose.project=${stack.bg.demo.name}`, "--filter", "label=com.docker.compose.service=postgres"])).stdout.trim();
  return (await run("docker", ["exec", id, "psql", "-U", "bluegreen", "-d", "bluegreen", "-tAc", sql], { timeoutMs: 15_000 })).stdout.trim();
}

function fail(result: ScenarioResult, problem: string): ScenarioResult {
  return { ...result, endStateCorrect: false, detail: `PROBLEM: ${problem}; ${result.detail}` };
}

export async function killDuringMigrateScenario(stack: FaultStack, log: (m: string) => void): Promise<ScenarioResult> {
  const migrate = `migrate:\n  service: app\n  command: ["node", "/app/migrate.js"]\n  timeout: 90s\n`;
  const result = await withConfig(stack, migrate, () => killScenario(stack, { label: "during migrate", phase: "migrate", status: "start" }, log));
  // All or nothing: the column exists iff the migration that adds it is recorded.
  const column = await psql(stack, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'author'").catch((e: Error) => `error: ${e.message}`);
  const recorded = await psql(stack, "SELECT count(*) FROM schema_migrations WHERE id = 2").catch(() => "0");
  const leftover = (await run("docker", ["ps", "-aq", "--filter", `name=${stack.bg.demo.name}-`, "--filter", "label=com.docker.compose.oneoff=True"])).stdout.trim();
  if (column !== recorded) return fail(result, `schema half-migrated: notes.author columns ${column}, schema_migrations row 2: ${recorded}`);
  if (leftover) return fail(result, `one-off migration containers left: ${leftover.split("\n").join(", ")}`);
  return { ...result, detail: `${result.detail}; schema ${column === "1" ? "migrated" : "unchanged"} as a whole` };
}

export async function killDuringHookScenario(stack: FaultStack, log: (m: string) => void): Promise<ScenarioResult> {
  const dir = path.join(stack.bg.dir, "fault-hooks");
  await mkdir(dir, { recursive: true });
  const hook = path.join(dir, "pre-switch");
  // Long enough to be killed in; it ends by itself (a SIGKILLed bluegreen cannot end it).
  await writeFile(hook, "#!/bin/sh\necho \"pre-switch: checking $BLUEGREEN_TO_COLOR $BLUEGREEN_TO_VERSION\"\nsleep 8\n");
  await chmod(hook, 0o755);
  try {
    return await withConfig(stack, `hooks: { dir: ${JSON.stringify(dir)}, timeout: 30s }\n`, () => killScenario(stack, { label: "during a hook", phase: "hook:pre-switch", status: "start" }, log));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
