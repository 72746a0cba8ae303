/** Plain-text report for a terminal: one line per check, failure details indented beneath it. */
import { formatDuration } from "../duration.js";
import type { CheckResult, SmokeResult } from "../types.js";

export interface TextStyle {
  color: boolean;
}

/** Colors only on a TTY and never when NO_COLOR is set (https://no-color.org). */
export function shouldUseColor(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === "");
}

const paint = (style: TextStyle, code: number, text: string): string => (style.color ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = (s: TextStyle, t: string) => paint(s, 32, t);
const red = (s: TextStyle, t: string) => paint(s, 31, t);
const dim = (s: TextStyle, t: string) => paint(s, 2, t);

const INDENT = "    ";

/** The check's line plus its indented details, newline-terminated. */
export function formatCheckResult(result: CheckResult, style: TextStyle): string {
  const mark = result.ok ? green(style, "✓") : red(style, "✗");
  const attempts = result.attempts > 1 ? `, ${result.attempts} attempts` : result.attempts === 0 ? ", not run" : "";
  const repeats = result.repeated ? `, ${result.repeated.passed}/${result.repeated.of} repeats` : "";
  const lines = [`${mark} ${result.name}  ${dim(style, `${formatDuration(result.durationMs)}${attempts}${repeats}`)}`];
  for (const f of result.failures) lines.push(`${INDENT}${f.what}: expected ${f.expected}, got ${f.actual}`);
  if (result.error !== undefined) lines.push(`${INDENT}error: ${result.error}`);
  if (result.bodyExcerpt !== undefined && result.bodyExcerpt !== "") lines.push(`${INDENT}body: ${oneLine(result.bodyExcerpt)}`);
  for (const note of result.notes ?? []) lines.push(`${INDENT}${dim(style, `note: ${note}`)}`);
  return `${lines.join("\n")}\n`;
}

export function formatSummary(result: SmokeResult, style: TextStyle): string {
  const total = result.checks.length;
  const failed = result.checks.filter((c) => !c.ok);
  const expected = [result.expectVersion ? `version ${result.expectVersion}` : "", result.expectColor ? `color ${result.expectColor}` : ""].filter(Boolean).join(", ");
  const context = `against ${result.target}${expected ? ` (expecting ${expected})` : ""} in ${formatDuration(result.durationMs)}`;
  if (result.ok) return `${green(style, "smoke PASSED")}: ${total} of ${total} checks passed ${context}\n`;
  if (result.aborted) {
    return `${red(style, "smoke ABORTED")}: cancelled after ${total - failed.length} of ${total} checks passed ${context}. Nothing was changed by this run; run it again to get a verdict.\n`;
  }
  const names = failed.map((c) => `"${c.name}"`).join(", ");
  return (
    `${red(style, "smoke FAILED")}: ${failed.length} of ${total} checks failed ${context}: ${names}. ` +
    `Nothing was changed by this run; fix the target (or the spec, if the expectation is wrong) and run the smoke test again.\n`
  );
}

export function formatTextReport(result: SmokeResult, style: TextStyle): string {
  return result.checks.map((c) => formatCheckResult(c, style)).join("") + formatSummary(result, style);
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, " ⏎ ");
}
