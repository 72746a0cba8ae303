import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SAFETY_REFRESH_MS } from "../../../src/tui/hooks/use-stack-status.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const dashboard = readme.slice(readme.indexOf("## The dashboard"), readme.indexOf("## Proving zero downtime"));

describe("the README's dashboard section says what the dashboard does", () => {
  it("does not claim that it never polls", () => {
    expect(dashboard).not.toMatch(/no polling|does not poll|without polling/i);
  });

  it("states the periodic status re-read the code does", () => {
    expect(dashboard.replace(/\s+/g, " ")).toContain(`every ${SAFETY_REFRESH_MS / 1000} s`);
  });

  it("does not claim that it never redraws when idle", () => {
    expect(dashboard).not.toMatch(/idle, it redraws nothing/);
  });
});
