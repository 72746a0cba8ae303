/** Small text helpers shared by the panels; pure. */

/** Cuts text to `width` columns, ending with "…" when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return "";
  const flat = text.replace(/\s*\n\s*/g, " ⏎ ");
  if ([...flat].length <= width) return flat;
  return `${[...flat].slice(0, Math.max(0, width - 1)).join("")}…`;
}

export function padEnd(text: string, width: number): string {
  const len = [...text].length;
  return len >= width ? text : text + " ".repeat(width - len);
}

/** 850 → "850ms", 12_300 → "12.3s", 135_000 → "2m15s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  if (m < 60) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** How long ago an ISO time was, coarse: "42s", "3m", "2h05m", "3d4h". */
export function formatUptime(startedAt: string | null, now: number): string {
  if (!startedAt) return "-";
  const t = Date.parse(startedAt);
  if (Number.isNaN(t)) return "-";
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

/** "14:02:07" in local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}
