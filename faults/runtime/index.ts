/**
 * The runtime fault scenarios, on real demo stacks (one per proxy, reused across scenarios and
 * settled between them), each under load through the live route.
 */
import type { ScenarioGroup, ScenarioResult } from "../types.js";
import { matchesFilter } from "../types.js";
import { BROKEN_RELEASES, brokenReleaseScenario } from "./broken.js";
import { deployDuringRollbackScenario, twoDeploysScenario } from "./concurrency.js";
import { dockerReconnectScenario } from "./docker-reconnect.js";
import { removedContainerScenario } from "./docker.js";
import { FaultStack } from "./fault-stack.js";
import { KILL_POINTS, killScenario } from "./kill.js";
import { killDuringHookScenario, killDuringMigrateScenario } from "./release.js";
import { haproxySocketMissingScenario, nginxRejectsScenario, proxyRestartScenario } from "./proxy.js";

/** The demo's nginx routes with njs (no reload on a switch); "nginx-reload" is one built without it. */
type Proxy = "nginx" | "nginx-reload" | "haproxy" | "caddy";

interface RuntimeScenario {
  name: string;
  proxy: Proxy;
  run(stack: FaultStack, log: (m: string) => void): Promise<ScenarioResult>;
}

/** Ports 18800–18849 belong to the fault suite. */
const PORTS: Record<Proxy, { live: number; preview: number }> = {
  nginx: { live: 18801, preview: 18802 },
  haproxy: { live: 18811, preview: 18812 },
  "nginx-reload": { live: 18821, preview: 18822 },
  caddy: { live: 18831, preview: 18832 },
};

function scenarios(): RuntimeScenario[] {
  const list: RuntimeScenario[] = [];
  const add = (name: string, proxy: Proxy, run: RuntimeScenario["run"]) => list.push({ name: `${name} (${proxy})`, proxy, run });
  // Every scenario that is not about one proxy's own mechanism runs on each driver.
  for (const proxy of ["nginx", "haproxy", "caddy"] as const) {
    for (const point of KILL_POINTS) add(`kill -9 ${point.label}`, proxy, (s, log) => killScenario(s, point, log));
    add("kill -9 during migrate", proxy, killDuringMigrateScenario);
    add("kill -9 during a hook", proxy, killDuringHookScenario);
    for (const release of BROKEN_RELEASES) add(`broken release: ${release.label}`, proxy, (s, log) => brokenReleaseScenario(s, release, log));
    add("proxy: container restarted mid-deploy", proxy, proxyRestartScenario);
    add("docker: standby container removed by hand, then rollback", proxy, (s, log) => removedContainerScenario(s, "standby", log));
    add("docker: active container removed by hand, then rollback", proxy, (s, log) => removedContainerScenario(s, "active", log));
    add("concurrency: two deploys at once", proxy, twoDeploysScenario);
    add("concurrency: deploy while a rollback runs", proxy, deployDuringRollbackScenario);
    add("docker: daemon connection lost while the TUI watches", proxy, dockerReconnectScenario);
  }
  // Only a reload runs `nginx -t`: with the njs route a switch is a file write and nginx's config never changes.
  add("proxy: nginx rejects the new config", "nginx-reload", nginxRejectsScenario);
  add("proxy: HAProxy admin socket missing", "haproxy", haproxySocketMissingScenario);
  return list;
}

export const group: ScenarioGroup = {
  name: "runtime",
  async run(ctx, report) {
    const selected = scenarios().filter((s) => matchesFilter(s.name, ctx.filter));
    for (const proxy of ["nginx", "nginx-reload", "haproxy", "caddy"] as const) {
      const mine = selected.filter((s) => s.proxy === proxy);
      if (mine.length === 0) continue;
      ctx.log(`starting the ${proxy} demo stack`);
      const stack =
        proxy === "nginx-reload"
          ? await FaultStack.start("nginx", PORTS[proxy].live, PORTS[proxy].preview, ctx.log, "reload")
          : await FaultStack.start(proxy, PORTS[proxy].live, PORTS[proxy].preview, ctx.log);
      try {
        for (const s of mine) {
          ctx.log(`${s.name}…`);
          const t0 = Date.now();
          try {
            report(await s.run(stack, ctx.log));
          } catch (err) {
            report({ name: s.name, runs: 1, requests: 0, hard: 0, endStateCorrect: false, seconds: (Date.now() - t0) / 1000, detail: `PROBLEM: ${err instanceof Error ? err.message : String(err)}` });
          }
        }
      } finally {
        await stack.destroy().catch((err: unknown) => ctx.log(`cleanup of ${proxy} stack: ${String(err)}`));
      }
    }
  },
};
