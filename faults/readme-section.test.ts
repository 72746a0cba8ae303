import { describe, expect, it } from "vitest";
import { BEGIN_MARKER, END_MARKER, readmeSection, replaceReadmeSection } from "./readme-section.js";
import type { ScenarioResult } from "./types.js";

const results: ScenarioResult[] = [
  { name: "kill -9 after build (nginx)", runs: 1, requests: 45, hard: 0, endStateCorrect: true, seconds: 4.51, detail: "x" },
  { name: "a | b", runs: 2, requests: 10, hard: 3, allowedHard: 3, endStateCorrect: false, seconds: 1, detail: "y" },
];

describe("the README's reliability section", () => {
  it("is a table of every scenario with its figures between the markers", () => {
    const text = readmeSection(results, { startedAt: new Date("2026-11-23T12:00:00Z"), seconds: 1500, load: "1.2" });
    expect(text.startsWith(BEGIN_MARKER) && text.endsWith(END_MARKER)).toBe(true);
    expect(text).toContain("Last full run: 2026-11-23 12:00 UTC, 2 scenarios, 1 passed, 25 min, load average 1.2.");
    expect(text).toContain("| kill -9 after build (nginx) | 1 | 45 | 0 | yes | 4.5 |");
    expect(text).toContain("| a \\| b | 2 | 10 | 3 (fault window: 3) | **NO** | 1.0 |");
  });

  it("replaces only what lies between the markers, and refuses a README without them", () => {
    const readme = `# x\n\nbefore\n${BEGIN_MARKER}\nold table\n${END_MARKER}\nafter\n`;
    expect(replaceReadmeSection(readme, `${BEGIN_MARKER}\nnew\n${END_MARKER}`)).toBe(`# x\n\nbefore\n${BEGIN_MARKER}\nnew\n${END_MARKER}\nafter\n`);
    expect(() => replaceReadmeSection("# x\n", "s")).toThrow(/lacks the fault-suite markers/);
  });
});
