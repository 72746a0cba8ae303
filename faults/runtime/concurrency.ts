/** Two operations at once: the second must be refused by the lock (exit 4) and name the holder. */
import type { ScenarioResult } from "../types.js";
import { isPhase, watchRun } from "./cli-events.js";
import type { FaultStack } from "./fault-stack.js";
import { parseResult, underLoad, type Verdict } from "./scenario.js";

async function refusedWhileHeld(stack: FaultStack, holderPid: number, holderCommand: string, version: string, problems: string[], notes: string[]): Promise<void> {
  const second = await stack.bg.cli(["deploy", "--version", version, "--yes", "--json"], { timeoutMs: 120_000 });
  const result = parseResult(second.stdout);
  const text = `${result?.message ?? ""} ${second.stderr}`;
  notes.push(`second deploy exit ${second.code}: ${text.trim().split("\n")[0]?.slice(0, 220) ?? ""}`);
  if (second.code !== 4) problems.push(`the second deploy exited ${second.code}, expected 4 (locked)`);
  if (!text.includes(`pid ${holderPid}`)) problems.push(`the refusal does not name the holder's pid ${holderPid}`);
  if (!text.includes(holderCommand)) problems.push(`the refusal does not name the holder's command "${holderCommand}"`);
}

export async function twoDeploysScenario(stack: FaultStack, log: (m: string) => void): Promise<ScenarioResult> {
  const before = await stack.settle(log);
  const version = stack.nextVersion(before);
  return underLoad(`concurrency: two deploys at once (${stack.proxy})`, stack, async (): Promise<Verdict> => {
    const problems: string[] = [];
    const notes: string[] = [];
    // slow-start keeps the first deploy in its health wait while the second one tries.
    const first = watchRun(stack.bg.spawnCli(["deploy", "--version", version, "--yes", "--json"], { env: { APP_FAILURE: "slow-start:6" } }));
    const inside = await first.waitFor(isPhase("build", "start"), 120_000);
    if (!inside) problems.push(`the first deploy never started its build (last phase ${first.lastPhase()})`);
    else await refusedWhileHeld(stack, first.child.pid ?? -1, `deploy --version ${version}`, "v9", problems, notes);
    const end = await first.exited;
    const result = parseResult(end.stdout);
    notes.push(`first deploy exit ${end.code} (${result?.outcome ?? "?"})`);
    if (end.code !== 0) problems.push(`the first deploy failed: ${result?.message?.split("\n")[0] ?? end.stderr.slice(0, 200)}`);
    const after = await stack.waitSettled();
    if (after.problem) problems.push(`after: ${after.problem}`);
    if (after.doc?.active && after.doc.slots[after.doc.active].version !== version) problems.push(`live runs ${after.doc.slots[after.doc.active].version ?? "?"}, expected ${version}`);
    return { problems, notes, runs: 2 };
  });
}

export async function deployDuringRollbackScenario(stack: FaultStack, log: (m: string) => void): Promise<ScenarioResult> {
  const before = await stack.settle(log);
  return underLoad(`concurrency: deploy while a rollback runs (${stack.proxy})`, stack, async (): Promise<Verdict> => {
    const problems: string[] = [];
    const notes: string[] = [];
    // The previous color is stopped (keepOldWarm: false): the rollback starts it and waits for health.
    const rb = watchRun(stack.bg.spawnCli(["rollback", "--yes", "--json"]));
    const inside = await rb.waitFor((e) => e.type === "phase" && e.status === "start" && e.phase !== "preflight", 120_000);
    if (!inside) problems.push(`the rollback ended before it started working (last phase ${rb.lastPhase()})`);
    else await refusedWhileHeld(stack, rb.child.pid ?? -1, "rollback", stack.nextVersion(before), problems, notes);
    const end = await rb.exited;
    const result = parseResult(end.stdout);
    notes.push(`rollback exit ${end.code} (${result?.outcome ?? "?"}): ${result?.message?.split("\n")[0]?.slice(0, 160) ?? ""}`);
    if (end.code !== 0) problems.push("the rollback itself failed");
    // A rollback keeps the color it left running warm, by design.
    const after = await stack.waitSettled(45_000, false, true);
    if (after.problem) problems.push(`after: ${after.problem}`);
    if (before.active && after.doc?.active === before.active) problems.push(`live is still ${before.active}; the rollback did not switch`);
    return { problems, notes, runs: 2 };
  });
}
