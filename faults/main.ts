/**
 * `npm run faults [-- word…]`: runs every scenario group under faults/ sequentially, prints one line
 * of figures per scenario as it finishes, writes reports/faults.md, and exits non-zero when any
 * scenario lost a request or ended in a wrong state (or a group crashed).
 */
import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../src/fs/atomic-write.js";
import { discoverGroups } from "./registry.js";
import { readmeSection, replaceReadmeSection } from "./readme-section.js";
import { markdownReport, resultLine } from "./report.js";
import { scenarioPassed, type ScenarioResult } from "./types.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPORT = path.join(REPO_ROOT, "reports", "faults.md");
const README = path.join(REPO_ROOT, "README.md");

const writeAtomic = (file: string, text: string): Promise<void> => writeFileAtomic(file, text, { createDir: true });

async function main(argv: string[]): Promise<number> {
  const filter = argv.filter((a) => a !== "--");
  const startedAt = new Date();
  const t0 = Date.now();
  const results: ScenarioResult[] = [];
  const crashed: string[] = [];
  const groups = await discoverGroups();
  process.stderr.write(`fault suite: groups ${groups.map((g) => g.name).join(", ") || "(none found)"}${filter.length ? `; only scenarios matching ${filter.join(" | ")}` : ""}\n`);

  for (const group of groups) {
    try {
      await group.run({ filter, log: (m) => process.stderr.write(`  [${group.name}] ${m}\n`) }, (r) => {
        results.push({ ...r, load: loadavg()[0] });
        process.stdout.write(`${resultLine(r)}\n`);
      });
    } catch (err) {
      const message = `${group.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
      crashed.push(message);
      process.stderr.write(`group ${message}\n`);
    }
  }

  const seconds = (Date.now() - t0) / 1000;
  const report = markdownReport(results, { startedAt, seconds, filter, crashed });
  await writeAtomic(REPORT, report);
  if (filter.length === 0 && crashed.length === 0) {
    // Only a complete run may speak for the README (1-min load average sampled per scenario).
    const loads = results.map((r) => r.load).filter((l): l is number => l !== undefined);
    const load = loads.length ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : (loadavg()[0] ?? 0).toFixed(1);
    const section = readmeSection(results, { startedAt, seconds, load });
    await writeAtomic(README, replaceReadmeSection(await readFile(README, "utf8"), section));
  }
  const failed = results.filter((r) => !scenarioPassed(r));
  process.stdout.write(`\n${report}\n`);
  process.stdout.write(
    `fault suite: ${results.length} scenarios, ${failed.length} failed, ${crashed.length} groups crashed, ${seconds.toFixed(0)} s; report written to ${path.relative(REPO_ROOT, REPORT)}\n`,
  );
  if (results.length === 0) {
    process.stderr.write("no scenario ran: check the filter words, or that faults/*/index.ts export `group`\n");
    return 1;
  }
  return failed.length > 0 || crashed.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fault suite crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
