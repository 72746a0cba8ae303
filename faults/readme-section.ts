/**
 * The README's reliability table comes from the last full fault-suite run: `npm run faults` (no
 * filter) rewrites what lies between the two markers, so the README never shows figures that no
 * run produced. A filtered run leaves the README alone (its table would be partial).
 */
import { cell } from "./report.js";
import { scenarioPassed, type ScenarioResult } from "./types.js";

export const BEGIN_MARKER = "<!-- faults:begin (written by npm run faults; edits here are overwritten) -->";
export const END_MARKER = "<!-- faults:end -->";

export function readmeSection(results: readonly ScenarioResult[], meta: { startedAt: Date; seconds: number; load: string }): string {
  const passed = results.filter(scenarioPassed).length;
  return [
    BEGIN_MARKER,
    `Last full run: ${meta.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC, ${results.length} scenarios, ${passed} passed, ` +
      `${Math.round(meta.seconds / 60)} min, load average ${meta.load}. Details per scenario: [reports/faults.md](reports/faults.md).`,
    "",
    "| scenario | runs | requests | hard failures | end state correct | seconds |",
    "|---|---:|---:|---:|---|---:|",
    ...results.map(
      (r) =>
        `| ${cell(r.name)} | ${r.runs} | ${r.requests} | ${r.hard}${r.allowedHard ? ` (fault window: ${r.allowedHard})` : ""} | ${r.endStateCorrect ? "yes" : "**NO**"} | ${r.seconds.toFixed(1)} |`,
    ),
    END_MARKER,
  ].join("\n");
}

/** The README with its section replaced; throws when the markers are missing or out of order. */
export function replaceReadmeSection(readme: string, section: string): string {
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (begin === -1 || end === -1 || end < begin) {
    throw new Error(`README.md lacks the fault-suite markers (${BEGIN_MARKER} … ${END_MARKER}); put them where the table belongs`);
  }
  return readme.slice(0, begin) + section + readme.slice(end + END_MARKER.length);
}
