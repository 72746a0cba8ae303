/**
 * `npm run bench`: switch, rollback, error, overhead and throughput figures for every proxy driver,
 * measured side by side in one run on stacks of its own (ports 18760–18799, stacks bgt-bench-*),
 * written to reports/bench.md and reports/bench.json. Nothing here passes or fails on timing: the
 * figures are reported as measured, with the goals next to them.
 *
 *   node dist/bench/main.js [--drivers nginx,caddy,haproxy] [--out reports] [--quick] [--goals] [--swarm]
 */
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { mkdir, writeFile } from "node:fs/promises";
import { benchGoals, renderGoals } from "./goals.js";
import { benchSwarm } from "./swarm.js";
import { renderMarkdown, writeBenchReports, type BenchRun } from "./report.js";
import { benchDriver, type DriverBenchResult } from "./run-driver.js";
import { ensureBaseImages, REPO_ROOT, type BenchProxy } from "./stack.js";

const PORTS: Record<BenchProxy, [number, number]> = { nginx: [18760, 18761], caddy: [18762, 18763], haproxy: [18764, 18765] };
const ALL: BenchProxy[] = ["nginx", "caddy", "haproxy"];

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: node dist/bench/main.js [--drivers nginx,caddy,haproxy] [--out reports] [--quick]\n`);
  process.exit(2);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { drivers: { type: "string" }, out: { type: "string" }, quick: { type: "boolean" }, goals: { type: "boolean" }, swarm: { type: "boolean" } },
    allowPositionals: false,
  });
  const drivers = (values.drivers ?? ALL.join(",")).split(",").map((d) => d.trim()) as BenchProxy[];
  for (const d of drivers) if (!ALL.includes(d)) usage(`unknown driver "${d}" (choose from ${ALL.join(", ")})`);
  const quick = values.quick ?? false;
  const settings = {
    switches: quick ? 4 : 12,
    cliSwitches: quick ? 2 : 10,
    rollbacks: quick ? 2 : 6,
    loadSwitches: quick ? 2 : 8,
    loadConnections: 16,
    wrkDurationMs: quick ? 2000 : 4000,
    probeIntervalMs: 5,
    verifyMs: 1000,
  };
  const outDir = path.resolve(REPO_ROOT, values.out ?? "reports");
  // Made before minutes of measuring, so a bad --out fails first rather than losing the figures.
  await mkdir(outDir, { recursive: true });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const started = performance.now();
  const loadAvgStart = loadavg();

  // --swarm: the swarm row (issue 12) on the swarm lab (npm run swarm:up), written to <out>/bench-swarm.md.
  if (values.swarm) {
    const rows = await benchSwarm({ switches: quick ? 6 : 30, repo: REPO_ROOT, log });
    const load = `load average ${loadAvgStart.map((l) => l.toFixed(2)).join(" ")} → ${loadavg().map((l) => l.toFixed(2)).join(" ")}, ${cpus().length} cores`;
    const text = `# bench: swarm (issue 12), on the swarm lab\n\n${new Date().toISOString()}, ${load}\n\n${renderGoals(rows)}\n`;
    await writeFile(path.join(outDir, "bench-swarm.md"), text);
    log(text);
    return rows.some((r) => r.value === null) ? 1 : 0;
  }

  log("bench: ensuring base images (fixtures/images/build.sh; nothing is pulled)");
  await ensureBaseImages();

  // --goals: only the issue-11 goal rows (bench/goals.ts), written to <out>/bench-goals.md.
  if (values.goals) {
    const rows = await benchGoals({ drivers, samples: 30, wrkSeconds: quick ? 3 : 5, log });
    const load = `load average ${loadAvgStart.map((l) => l.toFixed(2)).join(" ")} → ${loadavg().map((l) => l.toFixed(2)).join(" ")}, ${cpus().length} cores`;
    const text = `# bench goals (issue 11)\n\n${new Date().toISOString()}, ${load}\n\n${renderGoals(rows)}\n`;
    await writeFile(path.join(outDir, "bench-goals.md"), text);
    log(text);
    return rows.some((r) => r.value === null) ? 1 : 0;
  }

  const results: DriverBenchResult[] = [];
  // One driver at a time: the machine has 2 cores shared with other work.
  for (const proxy of drivers) {
    const [proxyPort, previewPort] = PORTS[proxy];
    results.push(await benchDriver({ proxy, proxyPort, previewPort, ...settings, log }));
  }

  const run: BenchRun = {
    startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
    host: { cpus: cpus().length, loadAvgStart, loadAvgEnd: loadavg(), node: process.version },
    settings,
    drivers: results,
    elapsedMs: Math.round(performance.now() - started),
  };
  const paths = await writeBenchReports(run, outDir);
  log("");
  log(renderMarkdown(run));
  log(`bench: wrote ${paths.markdown} and ${paths.json} in ${Math.round(run.elapsedMs / 1000)} s`);
  const problems = results.reduce((n, r) => n + r.errors.length, 0);
  if (problems > 0) log(`bench: ${problems} part(s) could not be measured; see "Problems in this run" above`);
  return problems > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\nNo report was written. Stacks named bgt-bench-* that remain can be removed with docker rm -f.\n`);
    process.exit(1);
  },
);
