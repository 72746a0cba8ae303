/**
 * Durations in configuration: strings with units ("30s", "500ms", "2m", "1m30s") or integer
 * milliseconds. In code every duration is a number of milliseconds.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

export const DURATION_HELP = 'use a number with a unit (500ms, 30s, 2m, 1m30s) or integer milliseconds';

export const SHELL_DURATION_HELP = "use seconds (120) or a number with a unit (500ms, 30s, 2m)";

export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

/** Parses a config duration. Numbers are milliseconds and must be non-negative integers. */
export function parseDuration(input: unknown): DurationResult {
  if (typeof input === "number") {
    if (!Number.isInteger(input) || input < 0) {
      return { ok: false, reason: `is not a whole, non-negative number of milliseconds; ${DURATION_HELP}` };
    }
    return { ok: true, ms: input };
  }
  if (typeof input !== "string") return { ok: false, reason: `is not a duration; ${DURATION_HELP}` };
  const text = input.trim();
  if (/^\d+$/.test(text)) return { ok: true, ms: Number(text) };
  return parseWithUnits(text);
}

/**
 * Parses a duration an operator typed at a shell: an environment override or a command-line flag.
 * A plain number means seconds (HEALTH_CHECK_TIMEOUT=120 is two minutes, `--duration 5` five
 * seconds, as operators expect from shell scripts); otherwise the config's units.
 */
export function parseShellDuration(input: string): DurationResult {
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return { ok: true, ms: Math.round(Number(text) * 1000) };
  const parsed = parseWithUnits(text);
  if (parsed.ok) return parsed;
  return { ok: false, reason: `is not a duration; ${SHELL_DURATION_HELP}` };
}

function parseWithUnits(text: string): DurationResult {
  if (text === "") return { ok: false, reason: `is empty; ${DURATION_HELP}` };
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(text); match; match = PART.exec(text)) {
    const [whole, amount, unit] = match;
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? Number.NaN);
    consumed += whole.length;
  }
  if (consumed !== text.length || !Number.isFinite(total)) {
    return { ok: false, reason: `is not a duration; ${DURATION_HELP}` };
  }
  return { ok: true, ms: Math.round(total) };
}

/** Renders milliseconds the way an operator writes them: 1500 → "1.5s", 120000 → "2m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}
