import type { LatencySummary } from "./types.js";

/** Nearest-rank percentile of an ascending-sorted array; 0 for an empty one. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? 0;
}

export function summarizeLatency(values: readonly number[] | Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: round(percentileSorted(sorted, 50)),
    p90: round(percentileSorted(sorted, 90)),
    p99: round(percentileSorted(sorted, 99)),
    max: round(sorted.length === 0 ? 0 : (sorted[sorted.length - 1] ?? 0)),
  };
}

/** Round to 0.1 ms: finer digits are noise on a shared machine and clutter the reports. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export function countBy<T>(items: Iterable<T>, key: (item: T) => string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** A growable pair of (time, value) columns: cheap to append 100k+ load-generator responses. */
export class TimeSeries {
  private times = new Float64Array(1024);
  private values = new Float64Array(1024);
  length = 0;

  push(t: number, value: number): void {
    if (this.length === this.times.length) {
      const times = new Float64Array(this.times.length * 2);
      const values = new Float64Array(this.values.length * 2);
      times.set(this.times);
      values.set(this.values);
      this.times = times;
      this.values = values;
    }
    this.times[this.length] = t;
    this.values[this.length] = value;
    this.length++;
  }

  timeAt(i: number): number {
    return this.times[i] ?? 0;
  }

  valueAt(i: number): number {
    return this.values[i] ?? 0;
  }

  /** Values whose time lies in [from, to). Times are appended in non-decreasing order. */
  valuesBetween(from: number, to: number): Float64Array {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] ?? 0) < from) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < this.length && (this.times[end] ?? 0) < to) end++;
    return this.values.slice(lo, end);
  }
}
