/**
 * kill -9 of a deploy at each phase: SIGKILL the CLI the moment its --json stream says the phase
 * started (or ended), then check that no request through the live route failed, that the next
 * `status --json` names the situation, and that `resolve --yes` settles the stack.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Color } from "../../src/domain/color.js";
import { run } from "../../testkit/demo-stack.js";
import type { ScenarioResult } from "../types.js";
import { isPhase, watchRun } from "./cli-events.js";
import type { FaultStack } from "./fault-stack.js";
import { parseResult, underLoad, type Verdict } from "./scenario.js";

export interface KillPoint {
  label: string;
  phase: string;
  status: "start" | "ok";
  /** APP_FAILURE of the release, e.g. slow-start to widen the health wait. */
  failure?: string;
  /**
   * After the phase event, wait for this before the kill (bounded), to land inside a step rather than
   * at its start: mid-switch waits until the include file on disk has changed (nginx) or the live
   * route answers from the new color (HAProxy, Caddy). A landing never seen fails the scenario: the
   * kill did not land inside the step.
   */
  landing?: (stack: FaultStack, from: Color | null) => Promise<Landing>;
}

/** Where the wait for a kill point's landing ended: `landed` is false when the sign never came. */
export interface Landing {
  landed: boolean;
  note: string;
}

export const KILL_POINTS: KillPoint[] = [
  { label: "after build", phase: "build", status: "ok" },
  { label: "while waiting healthy", phase: "health", status: "start", failure: "slow-start:8" },
  { label: "after smoke", phase: "smoke", status: "ok" },
  { label: "mid-switch", phase: "switch", status: "start", landing: (stack, from) => (stack.proxy === "nginx" ? includeFileChanged(stack) : liveRouteMoved(stack, from)) },
  { label: "during verify", phase: "verify", status: "start" },
  { label: "during drain", phase: "drain", status: "start" },
];

/** Pure: the problem when a kill point's landing was never seen (so the kill did not land inside the step), else null. */
export function missedLanding(point: KillPoint, landing: Landing): string | null {
  return landing.landed ? null : `the fault did not happen: the kill did not land ${point.label} (${landing.note})`;
}

/** What the scenario sees itself after the kill, without bluegreen's code: Docker, the state file, the live route. */
export interface Observed {
  /** Colors with a running container (`docker ps`). */
  running: Record<Color, boolean>;
  /** state.json as written on disk (null: none). */
  state: { active: Color | null; warm: boolean } | null;
  /** The color the live route's answers come from (X-Bluegreen-Color), null when it did not answer. */
  live: Color | null;
}

/** Pure: the conflicts a status must name after the kill, from what the scenario observed. */
export function expectedConflicts(seen: Observed): string[] {
  const kinds = ["stale-lock"];
  if (seen.state?.active && seen.live && seen.live !== seen.state.active) kinds.push("state-drift");
  const warmStandby = seen.state?.warm === true && seen.state.active !== null && seen.state.active === seen.live;
  if (seen.running.blue && seen.running.green && !warmStandby) kinds.push("both-running");
  return kinds;
}

async function observe(stack: FaultStack): Promise<Observed> {
  const running = { blue: false, green: false };
  for (const color of ["blue", "green"] as const) {
    const { stdout } = await run("docker", ["ps", "-q", "--filter", `label=com.docker.compose.project=${stack.bg.demo.projects[color]}`, "--filter", "status=running"]);
    running[color] = stdout.trim() !== "";
  }
  const text = await readFile(path.join(stack.bg.stateDir, "state.json"), "utf8").catch(() => null);
  const parsed = text === null ? null : (JSON.parse(text) as { active?: Color | null; warm?: boolean });
  const state = parsed === null ? null : { active: parsed.active ?? null, warm: parsed.warm === true };
  // Three answers in a row from one color, so a request in flight across a switch does not decide.
  const colors: Array<string | null> = [];
  for (let i = 0; i < 3; i++) colors.push(await liveColor(stack, 3000));
  const live = colors.every((c) => c === colors[0]) && (colors[0] === "blue" || colors[0] === "green") ? colors[0] : null;
  return { running, state, live };
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
    if (point.landing) {
      const landing = await point.landing(stack, (before.active as Color | null) ?? null);
      const missed = missedLanding(point, landing);
      if (missed) {
        run.child.kill("SIGKILL");
        const end = await run.exited;
        await stack.waitForOrphans();
        return { problems: [`${missed}; last event ${run.lastPhase()}, ${end.signal ?? `exit ${end.code}`}`], notes, runs };
      }
      notes.push(landing.note);
    }
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
    const seen = await observe(stack);
    const expected = expectedConflicts(seen);
    notes.push(`seen without bluegreen: running [${(["blue", "green"] as const).filter((c) => seen.running[c]).join(", ")}], state→${seen.state?.active ?? "none"}${seen.state?.warm ? " (warm)" : ""}, live route→${seen.live ?? "?"}`);
    notes.push(`status exit ${st.run.code} named [${named.join(", ")}], proxy→${doc.proxy.target ?? "none"}, state→${doc.state?.active ?? "none"}`);
    if (st.run.code !== 3) problems.push(`status exit ${st.run.code}, expected 3 (conflict)`);
    for (const k of expected) if (!named.includes(k)) problems.push(`status did not name ${k}`);
    if (!doc.lock?.stale) problems.push(`the lock is not reported stale (${JSON.stringify(doc.lock)})`);

    // One attempt: an operator's second try would be a second chance the table does not show.
    const res = await stack.bg.cli(["resolve", "--yes", "--json"], { timeoutMs: 180_000 });
    const result = parseResult(res.stdout);
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

/** The color the live route answers from now (X-Bluegreen-Color), or null. */
async function liveColor(stack: FaultStack, timeoutMs = 1000): Promise<string | null> {
  const res = await fetch(`${stack.bg.demo.liveUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => null);
  await res?.arrayBuffer().catch(() => undefined);
  return res?.headers.get("x-bluegreen-color") ?? null;
}

/**
 * HAProxy, Caddy: returns once the live route answers from another color than `from`, the one live
 * before the deploy (the proxy has taken the switch; bluegreen has not yet read it back or recorded
 * it), or after `withinMs` (not landed). A switch takes a few ms here, so the first answer may
 * already be the new color.
 */
export async function liveRouteMoved(stack: FaultStack, from: Color | null, withinMs = 10_000): Promise<Landing> {
  const t0 = Date.now();
  for (let i = 0; Date.now() - t0 < withinMs; i++) {
    const now = await liveColor(stack);
    if (now !== null && now !== from) return { landed: true, note: i === 0 ? `killed ${Date.now() - t0} ms after the switch's start: the first read already answered from ${now}` : `killed ${Date.now() - t0} ms after the live route first answered from ${now}` };
    await new Promise((r) => setTimeout(r, 1));
  }
  return { landed: false, note: `the live route did not move from ${from ?? "?"} within ${withinMs / 1000} s; killed then` };
}

/** nginx: returns once live.conf on disk differs from what it was (the switch wrote it), or after `withinMs` (not landed). */
export async function includeFileChanged(stack: FaultStack, withinMs = 10_000): Promise<Landing> {
  const before = await stack.persistedLive();
  const t0 = Date.now();
  while (Date.now() - t0 < withinMs) {
    const now = await stack.persistedLive();
    if (now !== before) return { landed: true, note: `killed ${Date.now() - t0} ms after live.conf changed to ${now ?? "?"} on disk, before the reload was confirmed` };
    await new Promise((r) => setTimeout(r, 2));
  }
  return { landed: false, note: `live.conf did not change within ${withinMs / 1000} s; killed then` };
}
