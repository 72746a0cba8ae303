/** Proxy faults: nginx rejecting a config, the proxy restarted mid-deploy, HAProxy's admin socket gone. */
import { readFile, rm } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { run } from "../../testkit/demo-stack.js";
import type { ScenarioResult } from "../types.js";
import { isPhase, watchRun } from "./cli-events.js";
import type { FaultStack } from "./fault-stack.js";
import { parseResult, underLoad, type Verdict } from "./scenario.js";

/** GET /bluegreen/targets on nginx's admin unix socket: the running workers' routing and pid. */
function nginxTargets(stack: FaultStack): Promise<{ live?: string; preview?: string; pid?: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: path.join(stack.bg.demo.runDir, "nginx-admin.sock"), path: "/bluegreen/targets", timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => {
        try {
          resolve(JSON.parse(body) as { live?: string; preview?: string; pid?: number });
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

export async function nginxRejectsScenario(stack: FaultStack, log: (m: string) => void): Promise<ScenarioResult> {
  // The rollback needs a stopped standby to go back to (its stack may be fresh: no deploy before).
  await stack.settleWithStandby(log);
  const dir = path.join(stack.bg.demo.runDir, "nginx");
  const liveFile = path.join(dir, "live.conf");
  const previewFile = path.join(dir, "preview.conf");
  const proxy = await stack.bg.demo.containerId("shared");
  return underLoad("proxy: nginx rejects the new config (nginx-reload)", stack, async (): Promise<Verdict> => {
    const problems: string[] = [];
    const notes: string[] = [];
    if (!proxy) return { problems: ["precondition: no proxy container"], notes };
    const liveBefore = await readFile(liveFile, "utf8").catch(() => null);
    const previewBefore = await readFile(previewFile, "utf8").catch(() => null);
    const targetsBefore = await nginxTargets(stack);
    // A broken neighbour include that bluegreen does not own (the image's http-level snippet): every
    // `nginx -t` fails until it is fixed, as after a bad hand edit of the proxy's config.
    const neighbour = "/etc/nginx/bluegreen/http.conf";
    await run("docker", ["exec", proxy, "sh", "-c", `cp ${neighbour} /tmp/bgt-http.conf && echo 'this_is_not_a_directive;' >> ${neighbour}`]);
    try {
      const check = await run("docker", ["exec", proxy, "nginx", "-t"]).then(() => "passes", () => "fails");
      if (check !== "fails") problems.push(`precondition: nginx -t ${check} after the neighbour include was broken`);
      // The rollback starts the previous color; pointing the preview route at it runs nginx -t first.
      const res = await stack.bg.cli(["rollback", "--yes", "--json"], { timeoutMs: 180_000 });
      const result = parseResult(res.stdout);
      const message = result?.message ?? res.stderr;
      notes.push(`rollback exit ${res.code}: ${message.split("\n")[0]?.slice(0, 240) ?? ""}`);
      if (res.code === 0) problems.push("the rollback succeeded although nginx -t fails");
      if (!/nginx rejected|nginx -t/.test(message)) problems.push("the error does not say nginx rejected the configuration");
      const liveAfter = await readFile(liveFile, "utf8").catch(() => null);
      if (liveAfter !== liveBefore) problems.push(`live.conf changed (${JSON.stringify(liveBefore)} → ${JSON.stringify(liveAfter)})`);
      const previewAfter = await readFile(previewFile, "utf8").catch(() => null);
      if (previewAfter !== previewBefore) problems.push(`preview.conf was not restored (${JSON.stringify(previewBefore)} → ${JSON.stringify(previewAfter)})`);
      const targetsAfter = await nginxTargets(stack);
      if (targetsAfter.pid !== targetsBefore.pid) problems.push(`nginx was reloaded (worker ${targetsBefore.pid} → ${targetsAfter.pid})`);
      else notes.push(`no reload (worker pid ${targetsAfter.pid ?? "?"} unchanged), route files as before`);
      if (targetsAfter.live !== targetsBefore.live) problems.push(`live routing changed ${targetsBefore.live} → ${targetsAfter.live}`);
    } finally {
      await run("docker", ["exec", proxy, "cp", "/tmp/bgt-http.conf", neighbour]);
    }
    const after = await stack.waitSettled();
    if (after.problem) problems.push(`after: ${after.problem}`);
    return { problems, notes };
  });
}

export async function proxyRestartScenario(stack: FaultStack, log: (m: string) => void): Promise<ScenarioResult> {
  const before = await stack.settle(log);
  const version = stack.nextVersion(before);
  return underLoad(`proxy: container restarted mid-deploy (${stack.proxy})`, stack, async (): Promise<Verdict> => {
    const problems: string[] = [];
    const notes: string[] = [];
    const verdict: Verdict = { problems, notes };
    const dep = watchRun(stack.bg.spawnCli(["deploy", "--version", version, "--yes", "--json"], { env: { APP_FAILURE: "slow-start:8" } }));
    const inside = await dep.waitFor(isPhase("health", "start"), 180_000);
    if (inside) {
      const id = await stack.bg.demo.containerId("shared");
      const t0 = Date.now();
      await run("docker", ["restart", "-t", "2", id ?? "missing-proxy"]);
      // Requests fail while the proxy itself is down: that window is reported, not counted as lost by bluegreen.
      verdict.tolerateHardIn = { from: t0, to: Date.now() + 3000, why: "proxy restart" };
      notes.push(`proxy restarted in ${Date.now() - t0} ms during the health wait`);
    } else problems.push(`the deploy never reached its health wait (last phase ${dep.lastPhase()})`);
    const timer = setTimeout(() => dep.child.kill("SIGKILL"), 240_000);
    const end = await dep.exited.finally(() => clearTimeout(timer));
    const result = parseResult(end.stdout);
    notes.push(`deploy exit ${end.code} (${result?.outcome ?? "?"}${end.code ? `: ${result?.message?.split("\n")[0]?.slice(0, 160) ?? ""}` : ""})`);
    const after = await stack.waitSettled();
    if (after.problem) problems.push(`after: ${after.problem}`);
    const doc = after.doc;
    if (doc) {
      notes.push(`routing after: proxy ${doc.proxy.target ?? "none"}, state ${doc.state?.active ?? "none"}`);
      if (end.code === 0 && doc.active && doc.slots[doc.active].version !== version) problems.push("the deploy reported success but the new version is not live");
      if (end.code !== 0 && doc.active !== before.active) problems.push(`the deploy failed but live moved from ${before.active ?? "?"} to ${doc.active ?? "nothing"}`);
    }
    return verdict;
  });
}

async function snapshotState(stack: FaultStack): Promise<string> {
  const files = ["state.json"]; // a refused deploy may add a history line; that is a record, not a change
  const parts: string[] = [];
  for (const f of files) parts.push(`${f}:${await readFile(path.join(stack.bg.stateDir, f), "utf8").catch(() => "(absent)")}`);
  return parts.join("\n");
}

export async function haproxySocketMissingScenario(stack: FaultStack, log: (m: string) => void): Promise<ScenarioResult> {
  const before = await stack.settle(log);
  const socket = path.join(stack.bg.demo.runDir, "haproxy-admin.sock");
  const result = await underLoad(`proxy: HAProxy admin socket missing (${stack.proxy})`, stack, async (): Promise<Verdict> => {
    const problems: string[] = [];
    const notes: string[] = [];
    await rm(socket);
    const st = await stack.status();
    const kinds = st.doc?.conflicts.map((c) => c.kind) ?? [];
    notes.push(`status exit ${st.run.code} named [${kinds.join(", ")}]`);
    if (st.run.code !== 3 || !kinds.includes("proxy-unreachable")) problems.push("status did not report proxy-unreachable with exit 3");
    const stateBefore = await snapshotState(stack);
    const dep = await stack.bg.cli(["deploy", "--version", stack.nextVersion(before), "--yes", "--json"], { timeoutMs: 120_000 });
    const res = parseResult(dep.stdout);
    const message = res?.message ?? dep.stderr;
    notes.push(`deploy exit ${dep.code}: ${message.split("\n").slice(0, 2).join(" ").slice(0, 240)}`);
    if (dep.code === 0) problems.push("the deploy ran without the proxy's control channel");
    if (!/socket|unreachable|does not answer/i.test(message)) problems.push("the refusal does not say the proxy's control channel is unreachable");
    if ((await snapshotState(stack)) !== stateBefore) problems.push("the state file changed");
    const after = await stack.status();
    const target = before.active === "blue" ? "green" : "blue";
    if (after.doc && (after.doc.slots[target].running || after.doc.slots[target].version !== before.slots[target].version)) problems.push(`${target} was touched`);
    return { problems, notes };
  });
  // Restoring the socket means restarting the proxy (it creates the socket at start); outside the measured window.
  const id = await stack.bg.demo.containerId("shared");
  await run("docker", ["restart", "-t", "2", id ?? "missing-proxy"]);
  return result;
}
