/** Containers removed by hand (docker rm -f): status must name it, rollback must recreate. */
import { run } from "../../testkit/demo-stack.js";
import type { ScenarioResult } from "../types.js";
import type { Color, FaultStack } from "./fault-stack.js";
import { parseResult, underLoad, type Verdict } from "./scenario.js";

export async function removedContainerScenario(stack: FaultStack, which: "standby" | "active", log: (m: string) => void): Promise<ScenarioResult> {
  const before = await stack.settleWithStandby(log);
  const active = before.active as Color;
  const standby: Color = active === "blue" ? "green" : "blue";
  const victim = which === "active" ? active : standby;
  return underLoad(`docker: ${which} container removed by hand, then rollback (${stack.proxy})`, stack, async (): Promise<Verdict> => {
    const problems: string[] = [];
    const notes: string[] = [];
    const verdict: Verdict = { problems, notes };
    if (!before.slots[standby].exists) problems.push(`precondition: the standby ${standby} has no container to roll back to`);
    const id = await stack.bg.demo.containerId(victim);
    const t0 = Date.now();
    await run("docker", ["rm", "-f", id ?? "missing"]);
    const st = await stack.status();
    const doc = st.doc;
    const kinds = doc?.conflicts.map((c) => c.kind) ?? [];
    notes.push(`status exit ${st.run.code}: ${victim} exists=${String(doc?.slots[victim].exists)}, conflicts [${kinds.join(", ")}]`);
    if (!doc || doc.slots[victim].exists) problems.push(`status still shows a ${victim} container`);
    if (which === "active" && !kinds.includes("proxy-target-unhealthy")) problems.push("status did not name proxy-target-unhealthy for the removed live color");

    const rb = await stack.bg.cli(["rollback", "--yes", "--json"], { timeoutMs: 180_000 });
    const result = parseResult(rb.stdout);
    const plan = (JSON.parse(rb.stdout.split("\n").find((l) => l.includes('"id":"rollback"')) ?? "{}") as { request?: { facts?: [string, string][] } }).request?.facts?.find(([k]) => k === "plan")?.[1];
    notes.push(`rollback exit ${rb.code} (${result?.outcome ?? "?"}), plan: ${plan ?? "?"}`);
    if (which === "active") {
      // The live color is gone: requests fail until the rollback has switched (reported, not hidden).
      // From 100 ms before the removal: a request sent just before it was still in flight when the
      // container died (the app answers in a few ms; seen: 1 such request in a CI trial).
      verdict.tolerateHardIn = { from: t0 - 100, to: Date.now() + 1000, why: "live container removed → rollback" };
    }
    if (rb.code !== 0) problems.push(`rollback failed: ${result?.message?.split("\n")[0] ?? rb.stderr.slice(0, 200)}`);
    const after = await stack.waitSettled(45_000, false, true);
    if (after.problem) problems.push(`after: ${after.problem}`);
    if (after.doc && after.doc.active !== standby) problems.push(`live is ${after.doc.active ?? "nothing"}, expected ${standby} after the rollback`);
    if (which === "standby" && after.doc && after.doc.slots[standby].version !== before.slots[standby].version) problems.push(`${standby} was recreated at ${after.doc.slots[standby].version ?? "?"}, not its recorded ${before.slots[standby].version ?? "?"}`);
    return verdict;
  });
}
