/** Durations in specs are strings with a unit ("2s", "200ms", "1.5m"); in code they are milliseconds. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/;

/** Returns the duration in whole milliseconds, or undefined when the text is not a duration with a unit. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const factor = UNIT_MS[unit ?? ""];
  if (amount === undefined || factor === undefined) return undefined;
  return Math.round(Number(amount) * factor);
}

/** "850 ms", "2.1 s", "1 m 5 s": short and readable in one terminal column. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} m ${seconds} s`;
}
