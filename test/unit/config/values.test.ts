import { describe, expect, it } from "vitest";
import { formatDuration, interpolate, parseDuration, parseShellDuration } from "../../../src/config/index.js";
import { closestMatch, editDistance } from "../../../src/config/suggest.js";

describe("durations", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["1.5s", 1_500],
    [" 10s ", 10_000],
    [250, 250],
    ["250", 250],
    [0, 0],
  ])("parses %j as %i ms", (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, ms });
  });

  it.each(["", "10", "s", "10 seconds", "10x", "-1s", "1e3ms"].filter((text) => text !== "10"))("rejects %j", (input) => {
    expect(parseDuration(input).ok).toBe(false);
  });

  it.each([1.5, -1, true, null])("rejects %j", (input) => {
    expect(parseDuration(input).ok).toBe(false);
  });

  it("reads environment durations as seconds when they have no unit", () => {
    expect(parseShellDuration("120")).toEqual({ ok: true, ms: 120_000 });
    expect(parseShellDuration("0.5")).toEqual({ ok: true, ms: 500 });
    expect(parseShellDuration("750ms")).toEqual({ ok: true, ms: 750 });
    expect(parseShellDuration("later").ok).toBe(false);
  });

  it("formats milliseconds the way they are written", () => {
    expect([formatDuration(50), formatDuration(1_500), formatDuration(120_000), formatDuration(7_200_000)]).toEqual(["50ms", "1.5s", "2m", "2h"]);
  });
});

describe("interpolation", () => {
  const env = { PORT: "9000", EMPTY: "" };
  it.each([
    ["${PORT}", "9000"],
    ["http://x:${PORT}/", "http://x:9000/"],
    ["${MISSING:-8080}", "8080"],
    ["${EMPTY:-8080}", "8080"],
    ["${EMPTY-8080}", ""],
    ["${MISSING-8080}", "8080"],
    ["${PORT:?needed}", "9000"],
    ["$${PORT}", "${PORT}"],
    ["$PORT stays", "$PORT stays"],
    ["${A:-}", ""],
  ])("%s → %s", (text, value) => {
    expect(interpolate(text, env)).toEqual({ ok: true, value });
  });

  it.each([
    ["${MISSING}", "MISSING is not set"],
    ["${EMPTY:?give it a value}", "give it a value"],
    ["${PORT", 'unclosed "${"'],
    ["${1X}", "invalid"],
    ["${PORT:+x}", "invalid"],
  ])("rejects %s", (text, reason) => {
    const result = interpolate(text, env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe("suggestions", () => {
  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("ngnix", "nginx")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("suggests only plausible typos", () => {
    expect(closestMatch("drvier", ["driver", "service"])).toBe("driver");
    expect(closestMatch("KEEPOLDWARM", ["keepOldWarm"])).toBe("keepOldWarm");
    expect(closestMatch("zzz", ["driver", "service"])).toBeNull();
  });
});
