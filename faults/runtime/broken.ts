/**
 * Broken releases deployed under load: never healthy, crashing right after the switch, starting
 * slower than the health timeout, answering 5 % errors. The old color must serve at the end.
 */
import type { ScenarioResult } from "../types.js";
import { run as runCommand } from "../../testkit/demo-stack.js";
import { isPhase, watchRun } from "./cli-events.js";
import { HEALTH_TIMEOUT_S, type FaultStack } from "./fault-stack.js";
import { parseResult, underLoad, type Verdict } from "./scenario.js";

export interface BrokenRelease {
  label: string;
  /** APP_FAILURE of the new release. */
  failure: string;
  /** Crash the new release (SIGUSR2: exit 1) the moment its switch is reported, not on a timer. */
  crashOnSwitch?: boolean;
}

export const BROKEN_RELEASES: BrokenRelease[] = [
  { label: "never healthy", failure: "unhealthy" },
  { label: "crashes right after the switch", failure: "", crashOnSwitch: true },
  { label: "slow start past the health timeout", failure: `slow-start:${HEALTH_TIMEOUT_S + 30}` },
  { label: "5 % errors", failure: "error-rate:0.05" },
];

export async function brokenReleaseScenario(stack: FaultStack, release: BrokenRelease, log: (m: string) => void): Promise<ScenarioResult> {
  const before = await stack.settle(log);
  const old = before.active;
  const oldVersion = old ? before.slots[old].version : null;
  const version = stack.nextVersion(before);
  return underLoad(`broken release: ${release.label} (${stack.proxy})`, stack, async (): Promise<Verdict> => {
    const problems: string[] = [];
    const notes: string[] = [];
    const run = watchRun(stack.bg.spawnCli(["deploy", "--version", version, "--yes", "--json"], { env: { APP_FAILURE: release.failure } }));
    const timer = setTimeout(() => run.child.kill("SIGKILL"), 300_000);
    let crashed = false;
    if (release.crashOnSwitch) {
      const switchedAt = await run.waitFor(isPhase("switch", "ok"), 240_000);
      const target = old === "blue" ? "green" : "blue";
      const id = switchedAt ? await stack.bg.demo.containerId(target) : null;
      if (id) {
        crashed = (await runCommand("docker", ["kill", "--signal", "SIGUSR2", id]).then(() => true, () => false));
        notes.push(`${target} crashed (SIGUSR2) ${Date.now() - switchedAt!.at} ms after its switch was reported`);
      }
    }
    const end = await run.exited.finally(() => clearTimeout(timer));
    const result = parseResult(end.stdout);
    const phases = run.events.filter((e) => e.event.type === "phase" && e.event.status !== "start").map((e) => `${String(e.event.phase)}:${String(e.event.status)}`);
    notes.push(`deploy exit ${end.code}, outcome ${result?.outcome ?? "none"}, phases ${phases.join(" ")}`);
    if (end.code === 0 || result?.outcome === "success") problems.push(`the broken release was deployed: ${result?.message ?? ""}`);
    const firstLine = (result?.message ?? end.stderr).split("\n")[0] ?? "";
    notes.push(`message: ${firstLine.slice(0, 200)}`);

    // A release that was switched to must be switched back. Between its crash and the switch back
    // no request may fail either: the proxies send what the dead color cannot answer to the previous
    // one, still warm (HAProxy: retries with redispatch; nginx: the live route's fallback location).
    const switched = run.events.find((e) => e.event.type === "phase" && e.event.phase === "switch" && e.event.status === "ok");
    const back = run.events.find((e) => e.event.type === "phase" && e.event.phase === "rollback-switch" && e.event.status !== "start");
    const verdict: Verdict = { problems, notes };
    // The fault must have happened before the outcome is judged: a release that crashes during smoke
    // was never live, and proves nothing about the crash after a switch.
    if (release.crashOnSwitch && (!switched || !crashed)) problems.push("the fault did not happen: the release was never switched to, or the crash signal could not be sent");
    if (switched && !back) problems.push("the release was switched to and never switched back");
    if (switched && back) notes.push(`live on the broken release for ${back.at - switched.at} ms`);

    // A fresh stack (no state file yet) keeps none when its first deploy fails before the switch.
    const after = await stack.waitSettled(45_000, before.state === null);
    if (after.problem) problems.push(`after the failed deploy: ${after.problem}`);
    const doc = after.doc;
    if (doc && old && doc.active !== old) problems.push(`live is ${doc.active ?? "nothing"}, expected the old color ${old}`);
    if (doc && old && doc.slots[old].version !== oldVersion) problems.push(`${old} now runs ${doc.slots[old].version ?? "?"}, expected ${oldVersion ?? "?"}`);
    if (doc) notes.push(`after: ${doc.active ?? "nothing"} (${doc.active ? (doc.slots[doc.active].version ?? "?") : "-"}) live`);
    return verdict;
  });
}
