/** How smoke reports show a duration (parsing is src/config/duration.ts, shared with the config). */

/** "850 ms", "2.1 s", "1 m 5 s": short and readable in one terminal column. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} m ${seconds} s`;
}
