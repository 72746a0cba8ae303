import { describe, expect, it } from "vitest";
import { pct, tail } from "../../../bench/report.js";
import { summarizeLatency } from "../../../load/stats.js";

describe("bench report: a p99 only over 30 samples or more", () => {
  const twelve = summarizeLatency([5, 5, 6, 6, 6, 7, 7, 7, 8, 9, 12, 40]);
  const many = summarizeLatency(Array.from({ length: 200 }, (_, i) => (i === 199 ? 4000 : i + 1)));

  it("shows p50 / — / max under 30 samples and judges the goal on the max", () => {
    expect(pct(twelve)).toBe("7 / — / 40");
    expect(tail(twelve)).toBe(40);
  });

  it("shows the p99 from 30 samples on and judges the goal on it", () => {
    expect(many.p99).toBeLessThan(250);
    expect(pct(many)).toBe(`${Math.round(many.p50)} / ${Math.round(many.p99)} / 4000`);
    expect(tail(many)).toBe(many.p99);
  });
});
