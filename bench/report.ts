/** reports/bench.md and reports/bench.json from one bench run (written temp + fsync + rename). */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../src/fs/atomic-write.js";
import type { LatencySummary } from "../load/types.js";
import type { DriverBenchResult } from "./run-driver.js";
import type { SwitchSummary } from "./switch-time.js";

export interface BenchRun {
  startedAt: string;
  host: { cpus: number; loadAvgStart: number[]; loadAvgEnd: number[]; node: string };
  settings: Record<string, number>;
  drivers: DriverBenchResult[];
  elapsedMs: number;
}

const GOALS = { switchP99Ms: 100, rollbackP99Ms: 500, overheadMs: 1000, wrkRatio: 0.7 };

/** A p99 needs this many samples; with fewer, only p50 and max are shown and a goal is judged on the max. */
export const MIN_P99_SAMPLES = 30;

const ms = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${Math.round(v)}`);
export const pct = (s: LatencySummary | undefined) => (s && s.count > 0 ? `${ms(s.p50)} / ${s.count >= MIN_P99_SAMPLES ? ms(s.p99) : "—"} / ${ms(s.max)}` : "—");
/** The figure a p99 goal is judged on: the p99 when there are enough samples, else the max. */
export const tail = (s: LatencySummary) => (s.count >= MIN_P99_SAMPLES ? s.p99 : s.max);
const verdict = (ok: boolean | null) => (ok === null ? "—" : ok ? "meets goal" : "misses goal");

function switchRow(name: string, s: SwitchSummary | undefined, goalMs: number | null): string {
  if (!s) return `| ${name} | — | — | — | — | — |`;
  const ok = goalMs === null || s.runs === 0 ? null : s.incomplete === 0 && tail(s.newColor) <= goalMs;
  return `| ${name} | ${s.runs}${s.incomplete ? ` (${s.incomplete} never settled)` : ""} | ${pct(s.newColor)} | ${pct(s.command)} | ${s.hard} / ${s.keepAliveCloses} | ${goalMs === null ? "—" : `≤ ${goalMs}: ${verdict(ok)}`} |`;
}

export function renderMarkdown(run: BenchRun): string {
  const out: string[] = [];
  out.push("# bluegreen bench", "");
  out.push(
    `Run ${run.startedAt}, ${Math.round(run.elapsedMs / 1000)} s, Node ${run.host.node}, ${run.host.cpus} CPUs, load average ${run.host.loadAvgStart.map((l) => l.toFixed(1)).join(" ")} at start, ${run.host.loadAvgEnd.map((l) => l.toFixed(1)).join(" ")} at end. All figures measured side by side in this one run, traffic to 127.0.0.1 only.`,
    "",
  );
  out.push("## 1–2. Switch and rollback time (ms)", "");
  out.push(
    `"To new color" = command start → send time of the first probe after which every probe through the live route was answered 2xx by the new color (probe every ${run.settings.probeIntervalMs} ms, so ±${run.settings.probeIntervalMs} ms resolution). "Command" = how long the call itself took. Errors = probe failures inside the switch windows (hard / keep-alive closes). A p99 is shown only over ${MIN_P99_SAMPLES} runs or more ("—" otherwise); the goal is then judged on the max.`,
    "",
  );
  for (const d of run.drivers) {
    out.push(`### ${d.proxy}`, "");
    out.push("| what | runs | to new color p50 / p99 / max | command p50 / p99 / max | errors hard / ka | goal (p99, or max under 30 runs) |", "|---|---|---|---|---|---|");
    out.push(switchRow(d.proxy === "nginx" ? "driver.switchLive (dockerode exec, as the engine)" : "driver.switchLive", d.driverSwitch?.summary, GOALS.switchP99Ms));
    if (d.driverSwitchDockerCli) out.push(switchRow("driver.switchLive (docker CLI exec)", d.driverSwitchDockerCli.summary, GOALS.switchP99Ms));
    out.push(switchRow("`bluegreen switch --yes` (CLI process)", d.cliSwitch?.summary, null));
    out.push(switchRow("engine rollback to warm slot, verify 0", d.rollback?.summary, GOALS.rollbackP99Ms));
    const lat = (x: { series: { probeLatency: LatencySummary } } | null) => pct(x?.series.probeLatency);
    const codes = [d.driverSwitch, d.driverSwitchDockerCli, d.cliSwitch, d.rollback]
      .flatMap((x) => Object.entries(x?.summary.codes ?? {}))
      .reduce<Record<string, number>>((all, [k, v]) => ({ ...all, [k]: (all[k] ?? 0) + v }), {});
    out.push(
      "",
      `Probe response time p50 / p99 / max (machine and route load during each series): driver ${lat(d.driverSwitch)}, CLI ${lat(d.cliSwitch)}, rollback ${lat(d.rollback)}. Probe failure codes: ${Object.entries(codes).map(([k, v]) => `${k}×${v}`).join(", ") || "none"}.`,
      "",
    );
  }

  out.push("## 3. Socket errors per switch under keep-alive load", "");
  out.push(
    "autocannon keeps its connections busy; the counter process beside it (testkit/counter) sends about 100 requests a second on keep-alive connections that wait between requests and 25 on fresh ones, so a proxy closing idle connections shows there.",
    "",
  );
  out.push("| proxy | connections | switches | requests | req/s | hard (per switch) | keep-alive closes (per switch) | codes | idle connections: requests, lost (per switch), keep-alive resets (per switch) |", "|---|---|---|---|---|---|---|---|---|");
  for (const d of run.drivers) {
    const l = d.load;
    if (!l) {
      out.push(`| ${d.proxy} | — | — | — | — | — | — | not measured | — |`);
      continue;
    }
    const codes = Object.entries({ ...l.hardByCode, ...l.keepAliveByCode }).map(([k, v]) => `${k}×${v}`).join(", ") || "none";
    const idle = l.idle ? `${l.idle.requests}, ${l.idle.lost} (${l.idle.lostPerSwitch}), ${l.idle.keepAliveResets} (${l.idle.keepAliveResetsPerSwitch})` : "—";
    out.push(`| ${d.proxy} | ${l.connections} | ${l.switches} | ${l.requests} | ${l.reqPerSec} | ${l.hard} (${l.hardPerSwitch}) | ${l.keepAliveCloses} (${l.keepAliveClosesPerSwitch}) | ${codes} | ${idle} |`);
  }
  out.push("");

  out.push("## 4. The tool's own overhead in a deploy (ms)", "");
  out.push(
    `Overhead = the engine's total − (shared + build + start + health phases) − the configured verify duration (${run.settings.verifyMs} ms). "Wall" uses the CLI process's spawn→exit time instead (adds Node start-up). Goal ≤ ${GOALS.overheadMs} ms.`,
    "",
  );
  out.push("| proxy | version | total | app phases | overhead (engine) | overhead (wall) | phases |", "|---|---|---|---|---|---|---|");
  for (const d of run.drivers) {
    for (const x of d.deploys) {
      const phases = Object.entries(x.phases).map(([k, v]) => `${k} ${v}`).join(", ");
      out.push(`| ${d.proxy} | ${x.version} | ${x.totalMs} | ${x.appMs} | ${x.overheadMs} | ${x.overheadWallMs} | ${phases} |`);
    }
  }
  out.push("");

  out.push("## 5. Harness throughput vs wrk, probe-loop jitter", "");
  out.push(
    "autocannon (in-process, as `verify` uses it) and wrk one after the other on the same live route and connection count. Jitter = actual − scheduled probe send time (10 ms loop), alone and while autocannon runs in the same process; the switch series' own 5 ms probe loop jitter is listed too.",
    "",
  );
  out.push(
    "| proxy | connections | autocannon req/s | wrk req/s | ratio (goal ≥ 0.7) | jitter idle p50/p99/max | jitter under load p50/p99/max | 5 ms loop jitter p50/p99/max |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const d of run.drivers) {
    const w = d.wrk;
    const switchJitter = pct(d.driverSwitch?.series.probeJitter);
    if (!w) {
      out.push(`| ${d.proxy} | — | — | — | — | — | — | ${switchJitter} |`);
      continue;
    }
    const j = (x: { p50: number; p99: number; max: number }) => `${x.p50} / ${x.p99} / ${x.max}`;
    out.push(
      `| ${d.proxy} | ${w.connections} | ${w.autocannon.reqPerSec} | ${Math.round(w.wrk.reqPerSec)} | ${w.ratio} (${verdict(w.ratio >= GOALS.wrkRatio)}) | ${j(w.probeJitter.idle)} | ${j(w.probeJitter.underLoad)} | ${switchJitter} |`,
    );
  }
  out.push("");

  const problems = run.drivers.flatMap((d) => d.errors.map((e) => `- ${d.proxy}: ${e.split("\n")[0]}`));
  out.push("## Problems in this run", "", ...(problems.length ? problems : ["none"]), "");
  out.push("## Per-switch detail (to new color ms)", "");
  for (const d of run.drivers) {
    const list = (s: { series: { timings: { newColorMs: number | null }[] } } | null) => s?.series.timings.map((t) => ms(t.newColorMs)).join(", ") || "—";
    if (d.driverSwitchDockerCli) out.push(`- ${d.proxy} driver, docker CLI exec: ${list(d.driverSwitchDockerCli)}`);
    out.push(`- ${d.proxy} driver: ${list(d.driverSwitch)}`, `- ${d.proxy} CLI: ${list(d.cliSwitch)}`, `- ${d.proxy} rollback: ${list(d.rollback)}`);
  }
  out.push("");
  return out.join("\n");
}

export async function writeBenchReports(run: BenchRun, dir: string): Promise<{ markdown: string; json: string }> {
  await mkdir(dir, { recursive: true });
  const markdown = path.join(dir, "bench.md");
  const json = path.join(dir, "bench.json");
  await writeFileAtomic(json, `${JSON.stringify(run, null, 2)}\n`);
  await writeFileAtomic(markdown, renderMarkdown(run));
  return { markdown, json };
}
