/**
 * The swarm row of the bench (issue 12), on the swarm lab (`npm run swarm:up`, root): switches of
 * the live route through bluegreen's replicated HAProxy driver, timed from the command's start
 * until every node's proxy replica serves the new color (a probe loop on each node's lab address,
 * the slowest one counts), and a deploy of a new version through the real CLI with its phases.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { createPorts } from "../src/cli/wire.js";
import { loadConfig } from "../src/config/index.js";
import type { GoalRow } from "./goals.js";
import { MIN_P99_SAMPLES } from "./report.js";
import { summarizeSeries, timeSwitchSeries } from "./switch-time.js";

const execFileAsync = promisify(execFile);
const LAB_DIR = process.env.BG_LAB_DIR ?? "/var/lib/bluegreen-lab";
const SWITCH_GOAL_MS = 200;

/** The lab's config with every node reached over its unix socket, written next to it: the mechanism without ssh's cost. */
function unixSocketConfig(configFile: string, nodes: { api: string; docker: string }[]): string {
  let text = readFileSync(configFile, "utf8");
  for (const n of nodes) text = text.replaceAll(n.api, n.docker);
  const file = path.join(path.dirname(configFile), "bench-unix-sockets.yml");
  writeFileSync(file, text);
  return file;
}

export async function benchSwarm(o: { switches: number; repo: string; log: (line: string) => void }): Promise<GoalRow[]> {
  const configFile = path.join(LAB_DIR, "bluegreen.yml");
  if (!existsSync(configFile)) throw new Error(`no swarm lab (${configFile} is missing): run \`sudo -E npm run swarm:up\` first`);
  const nodes = JSON.parse(readFileSync(path.join(LAB_DIR, "nodes.json"), "utf8")) as { name: string; address: string; api: string; docker: string }[];
  const rows: GoalRow[] = [];
  // Side by side: the lab's config (one node over ssh, one over tcp) and the same swarm over unix sockets.
  const variants = [
    { file: configFile, how: `the lab's endpoints: ${nodes.map((n) => n.api.split(":")[0]).join(", ")}` },
    { file: unixSocketConfig(configFile, nodes), how: "every node over its unix socket" },
  ];
  for (const variant of variants) {
    const config = await loadConfig(variant.file, process.env);
    const livePort = new URL(config.proxy.liveUrl).port;
    const urls = nodes.map((n) => `http://${n.address}:${livePort}/`);
    const ports = createPorts(config);
    const recorded = await ports.proxy.liveTarget();
    o.log(`bench swarm (${variant.how}): ${o.switches} switches of ${nodes.length} proxy replicas, probing ${urls.join(", ")}`);
    const series = await timeSwitchSeries({ liveUrl: urls[0] as string, alsoUrls: urls.slice(1), count: o.switches, act: (to) => ports.proxy.switchLive(to), maxDurationMs: 60_000 + o.switches * 5_000 });
    // The series changed the proxy only, not the state file: route back to what was live.
    if (recorded && (await ports.proxy.liveTarget()) !== recorded) await ports.proxy.switchLive(recorded);
    const summary = summarizeSeries(series);
    const done = series.timings.map((t) => t.newColorMs).filter((ms): ms is number => ms !== null);
    const label = done.length >= MIN_P99_SAMPLES ? "p99" : "max";
    const judged = label === "p99" ? summary.newColor.p99 : summary.newColor.max;
    rows.push({
      figure: `swarm: switch until every one of ${nodes.length} proxy replicas serves the new color (${label}), ${variant.how}`,
      goal: `≤ ${SWITCH_GOAL_MS} ms`,
      value: done.length > 0 ? judged : null,
      unit: "ms",
      met: done.length > 0 && summary.incomplete === 0 ? judged <= SWITCH_GOAL_MS : null,
      samples: done.length,
      note: `p50 ${summary.newColor.p50.toFixed(1)} / max ${summary.newColor.max.toFixed(1)} ms; switch call p50 ${summary.command.p50.toFixed(1)} ms; ${summary.hard} failed probes of ${series.timings.reduce((n, t) => n + t.probes, 0)}${summary.incomplete ? `; ${summary.incomplete} incomplete` : ""}${series.error ? `; stopped: ${series.error}` : ""}`,
    });
  }

  // One deploy of a new version through the CLI: its wall time and where it went.
  const version = `bench${Date.now().toString(36)}`;
  const t0 = performance.now();
  const { stdout } = await execFileAsync(process.execPath, [path.join(o.repo, "bin/bluegreen.cjs"), "-c", configFile, "deploy", "--version", version, "--yes", "--json"], { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { outcome?: string; phases?: { phase: string; ms: number }[] };
  const phases = (result.phases ?? []).map((p) => `${p.phase} ${(p.ms / 1000).toFixed(1)} s`).join(", ");
  const platformMs = (result.phases ?? []).filter((p) => ["build", "start", "health"].includes(p.phase)).reduce((n, p) => n + p.ms, 0);
  rows.push({
    figure: "swarm: deploy of a new version, CLI wall time (1 run)",
    goal: "—",
    value: Math.round(wallMs),
    unit: "ms",
    met: null,
    samples: 1,
    note: `${result.outcome ?? "no result"}; platform steps (build, stack deploy rollout, health) ${(platformMs / 1000).toFixed(1)} s, bluegreen's own ${((wallMs - platformMs) / 1000).toFixed(1)} s (preview, smoke, switch, verify, start-up); ${phases}`,
  });
  // Back to the version the lab runs, so the next run starts from the same place.
  await execFileAsync(process.execPath, [path.join(o.repo, "bin/bluegreen.cjs"), "-c", configFile, "rollback", "--yes"], { timeout: 300_000 });
  return rows;
}
