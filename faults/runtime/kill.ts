/**
 * kill -9 of a deploy at each phase: SIGKILL the CLI the moment its --json stream says the phase
 * started (or ended), then check that no request through the live route failed, that the next
 * `status --json` names the situation, and that `resolve --yes` settles the stack.
 */
import type { ScenarioResult } from "../types.js";
import { isPhase, watchRun } from "./cli-events.js";
import type { FaultStack, StatusDoc } from "./fault-stack.js";
import { parseResult, underLoad, type Verdict } from "./scenario.js";

export interface KillPoint {
  label: string;
  phase: string;
  status: "start" | "ok";
  /** APP_FAILURE of the release, e.g. slow-start to widen the health wait. */
  failure?: string;
  /**
   * After the phase event, wait for this before the kill (bounded), to land inside a step rather than
   * at its start: mid-switch on nginx waits until the include file on disk has changed.
   */
  landing?: (stack: FaultStack) => Promise<string>;
}

export const KILL_POINTS: KillPoint[] = [
  { label: "after build", phase: "build", status: "ok" },
  { label: "while waiting healthy", phase: "health", status: "start", failure: "slow-start:8" },
  { label: "after smoke", phase: "smoke", status: "ok" },
  { label: "mid-switch", phase: "switch", status: "start", landing: includeFileChanged },
  { label: "during verify", phase: "verify", status: "start" },
  { label: "during drain", phase: "drain", status: "start" },
];

/** Pure: the conflicts a status must name after the kill, from the facts it reports. */
export function expectedConflicts(doc: StatusDoc): string[] {
  const kinds = ["stale-lock"];
  const target = doc.proxy.target;
  if (doc.state?.active && doc.proxy.reachable && target !== doc.state.active) kinds.push("state-drift");
  const warmStandby = doc.state?.warm === true && doc.state.active !== null && doc.state.active === target;
  if (doc.slots.blue.running && doc.slots.green.running && !warmStandby) kinds.push("both-running");
  return kinds;
}

export async function killScenario(stack: FaultStack, point: KillPoint, log: (m: string) => void): Promise<ScenarioResult> {
  const before = await stack.settle(log);
  const version = stack.nextVersion(before);
  return underLoad(`kill -9 ${point.label} (${stack.proxy})`, stack, async (): Promise<Verdict> => {
    const problems: string[] = [];
    const notes: string[] = [];
    // No hidden second chance: a deploy that ends before the phase means the fault did not happen,
    // and the scenario fails saying so.
    const run = watchRun(stack.bg.spawnCli(["deploy", "--version", version, "--yes", "--json"], point.failure ? { env: { APP_FAILURE: point.failure } } : {}));
    const hit = await run.waitFor(isPhase(point.phase, point.status), 180_000);
    const runs = 1;
    if (!hit) {
      run.child.kill("SIGKILL");
      const end = await run.exited;
      const result = parseResult(end.stdout);
      return { problems: [`the fault did not happen: the deploy never reached "${point.phase} ${point.status}" (exit ${end.code}; last phase ${run.lastPhase()}; ${result?.message ?? end.stderr.slice(0, 400)})`], notes, runs };
    }
    if (point.landing) notes.push(await point.landing(stack));
    run.child.kill("SIGKILL");
    const end = await run.exited;
    // Events printed after the signal was sent show where the kill really landed.
    notes.push(`killed at ${point.phase} ${point.status}, last event ${run.lastPhase()} (${end.signal ?? `exit ${end.code}`})`);
    const orphans = await stack.waitForOrphans();
    if (orphans.waitedMs > 500) notes.push(`orphaned compose/docker children finished ${(orphans.waitedMs / 1000).toFixed(1)} s later`);
    if (orphans.left) problems.push(`${orphans.left} orphaned processes still running after ${orphans.waitedMs} ms`);

    const st = await stack.status();
    const doc = st.doc;
    if (!doc) return { problems: [...problems, `status --json printed no document (exit ${st.run.code}): ${st.run.stderr.slice(-300)}`], notes };
    const named = doc.conflicts.map((c) => c.kind);
    const expected = expectedConflicts(doc);
    notes.push(`status exit ${st.run.code} named [${named.join(", ")}], proxy→${doc.proxy.target ?? "none"}, state→${doc.state?.active ?? "none"}`);
    if (st.run.code !== 3) problems.push(`status exit ${st.run.code}, expected 3 (conflict)`);
    for (const k of expected) if (!named.includes(k)) problems.push(`status did not name ${k}`);
    if (!doc.lock?.stale) problems.push(`the lock is not reported stale (${JSON.stringify(doc.lock)})`);

    // Under heavy load the demo healthcheck flaps; resolve then rightly refuses to pick an unhealthy
    // color. An operator would run it again a moment later: so do we, at most twice, and say so.
    let res = await stack.bg.cli(["resolve", "--yes", "--json"], { timeoutMs: 180_000 });
    let result = parseResult(res.stdout);
    for (let retry = 1; retry <= 2 && res.code === 2 && /no color is healthy/.test(result?.message ?? ""); retry++) {
      notes.push(`resolve refused (no color healthy at that moment), retried after 5 s`);
      await new Promise((r) => setTimeout(r, 5000));
      res = await stack.bg.cli(["resolve", "--yes", "--json"], { timeoutMs: 180_000 });
      result = parseResult(res.stdout);
    }
    if (res.code !== 0 || result?.outcome !== "success") problems.push(`resolve exit ${res.code}, outcome ${result?.outcome ?? "none"}: ${result?.message ?? res.stderr.slice(0, 600)}`);
    else notes.push(`resolve kept ${result.active ?? "?"}`);

    // A stack that started with no state file keeps none when the kill came before any switch.
    const after = await stack.waitSettled(45_000, before.state === null);
    if (after.problem) problems.push(`after resolve: ${after.problem}`);
    else if (after.reads > 1) notes.push(`settled on status read ${after.reads} (healthcheck flapping under load)`);
    const disk = await stack.persistedLive();
    if (disk && after.doc?.active && disk !== after.doc.active) problems.push(`the proxy's saved config routes live to ${disk} but the running proxy routes to ${after.doc.active}: the next reload or restart flips live traffic`);
    return { problems, notes, runs };
  });
}

/** nginx: returns once live.conf on disk differs from what it was (the switch wrote it), or after 10 s. */
async function includeFileChanged(stack: FaultStack): Promise<string> {
  if (stack.proxy !== "nginx") return "killed at the switch's start";
  const before = await stack.persistedLive();
  const t0 = Date.now();
  while (Date.now() - t0 < 10_000) {
    const now = await stack.persistedLive();
    if (now !== before) return `killed ${Date.now() - t0} ms after live.conf changed to ${now ?? "?"} on disk, before the reload was confirmed`;
    await new Promise((r) => setTimeout(r, 2));
  }
  return "live.conf did not change within 10 s; killed then";
}
