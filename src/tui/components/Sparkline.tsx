import { Txt } from "./Txt.js";
import type { Tone } from "../contexts/theme-context.js";

const BARS = "▁▂▃▄▅▆▇█";

/** Pure: values scaled between their min and max onto eight bar heights. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return "";
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = max - min || 1;
  return values.map((v) => BARS[Math.min(7, Math.round(((v - min) / span) * 7))] ?? "▁").join("");
}

export function Sparkline({ values, width, tone }: { values: readonly number[]; width: number; tone?: Tone }) {
  return <Txt tone={tone}>{sparkline(values.slice(Math.max(0, values.length - width)))}</Txt>;
}
