import type { VerifyResult } from "../types.js";

const BLOCKS = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
const MAX_COLUMNS = 60;

/** Merge consecutive seconds so the chart stays ≤ 60 columns wide (a terminal and a GitHub code block). */
function bucketsOf(result: VerifyResult): { startS: number; endS: number; requests: number; p99: number; errors: number }[] {
  const points = result.throughput;
  const per = Math.max(1, Math.ceil(points.length / MAX_COLUMNS));
  const out = [];
  for (let i = 0; i < points.length; i += per) {
    const group = points.slice(i, i + per);
    out.push({
      startS: group[0]?.second ?? 0,
      endS: (group[group.length - 1]?.second ?? 0) + 1,
      requests: group.reduce((n, p) => n + p.requests, 0) / group.length,
      p99: group.reduce((m, p) => Math.max(m, p.p99), 0),
      errors: group.reduce((n, p) => n + p.errors, 0),
    });
  }
  return out;
}

/** Rows of a vertical bar chart, top first, eighth-blocks for the fraction. */
function bars(values: number[], height: number): string[] {
  const max = Math.max(...values, 0);
  const rows: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    let line = "";
    for (const v of values) {
      const eighths = max === 0 ? 0 : Math.round((v / max) * height * 8);
      const inRow = Math.min(8, Math.max(0, eighths - row * 8));
      line += BLOCKS[inRow];
    }
    rows.push(line);
  }
  return rows;
}

/** Title line, then rows with the max at the top and 0 at the bottom of a `pad`-wide y axis. */
function axis(title: string, max: number, rows: string[], pad: number): string[] {
  const top = `${Math.round(max)}`;
  return [title, ...rows.map((r, i) => `${(i === 0 ? top : i === rows.length - 1 ? "0" : "").padStart(pad)} ┤${r}`)];
}

/**
 * A Unicode chart of throughput and p99 latency per second, with the operation span and the
 * moment the live color changed marked under the time axis. Plain text: prints in a terminal,
 * renders in a Markdown code block.
 */
export function renderChart(result: VerifyResult, height = 6): string {
  const buckets = bucketsOf(result);
  if (buckets.length === 0) return "(no traffic recorded)";
  const reqs = buckets.map((b) => b.requests);
  const p99s = buckets.map((b) => b.p99);
  const pad = Math.max(`${Math.round(Math.max(...reqs))}`.length, `${Math.round(Math.max(...p99s))}`.length);
  const indent = " ".repeat(pad + 2);
  const lines: string[] = [];
  lines.push(...axis("requests/s", Math.max(...reqs), bars(reqs, height), pad));
  lines.push("");
  lines.push(...axis("p99 latency (ms)", Math.max(...p99s), bars(p99s, height), pad));
  const inBucket = (ms: number | null, b: { startS: number; endS: number }): boolean =>
    ms !== null && ms >= b.startS * 1000 && ms < b.endS * 1000;
  const op = result.operationWindow;
  const phaseRow = buckets
    .map((b) => (b.endS * 1000 <= op.startMs ? "·" : b.startS * 1000 >= op.endMs && !inBucket(op.endMs, b) ? "·" : "━"))
    .join("");
  const errRow = buckets.map((b) => (b.errors > 0 ? "✗" : " ")).join("");
  const switchRow = buckets.map((b) => (inBucket(result.switchAtMs, b) ? "▲" : " ")).join("");
  lines.push(`${" ".repeat(pad + 1)}└${"─".repeat(buckets.length)}`);
  lines.push(`${indent}${phaseRow}  ━ operation`);
  if (errRow.trim()) lines.push(`${indent}${errRow}  ✗ errors in that second`);
  if (result.switchAtMs !== null) lines.push(`${indent}${switchRow}  ▲ live color changed at ${result.switchAtMs} ms`);
  const last = buckets[buckets.length - 1]?.endS ?? 0;
  const scale = `0s${" ".repeat(Math.max(1, buckets.length - 2 - `${last}s`.length))}${last}s`;
  lines.push(`${indent}${scale}`);
  return lines.join("\n");
}
