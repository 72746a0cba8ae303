import { describe, expect, it } from "vitest";
import { demoSpecPath } from "../../../smoke/command.js";
import { BUILTIN_DEFAULTS, loadSmokeSpec, parseSmokeSpec, SmokeSpecError, type SpecIssue } from "../../../smoke/spec.js";

function issuesOf(text: string): readonly SpecIssue[] {
  try {
    parseSmokeSpec(text, "bad.yml");
  } catch (err) {
    if (err instanceof SmokeSpecError) return err.issues;
    throw err;
  }
  throw new Error("expected the spec to be rejected");
}

const check = (body: string) => `checks:\n  - name: c\n${body}`;

describe("parseSmokeSpec accepts", () => {
  it("the shipped demo spec, with durations in ms and matchers normalised", async () => {
    const spec = await loadSmokeSpec(demoSpecPath());
    expect(spec.checks.map((c) => [c.name, c.kind, c.timeoutMs, c.retries, c.retryDelayMs])).toEqual([
      ["health is healthy", "http", 2000, 2, 250],
      ["root reports its color and version", "http", 2000, 2, 250],
      ["root answers 100 times in a row", "http", 2000, 2, 250],
      ["counter increments", "http", 2000, 2, 250],
      ["websocket says hello and echoes", "ws", 2000, 2, 250],
    ]);
    const health = spec.checks[0];
    expect(health?.kind === "http" && health.expect).toEqual({
      status: [200],
      json: [
        { path: "status", matcher: { kind: "equals", value: "healthy" } },
        { path: "checks.redis", matcher: { kind: "equals", value: "connected" } },
        { path: "version", matcher: { kind: "equals", value: "${EXPECT_VERSION}" } },
      ],
      headers: [{ path: "X-App-Version", matcher: { kind: "equals", value: "${EXPECT_VERSION}" } }],
    });
    expect(spec.checks.map((c) => c.repeat)).toEqual([1, 1, 100, 1, 1]);
    const ws = spec.checks[4];
    expect(ws?.kind === "ws" && ws.ws.echoWithinMs).toBe(1000);
    expect(spec.checks.map((c) => c.line)).toEqual([6, 13, 22, 27, 31]);
  });

  it("a minimal spec with built-in defaults, 2xx status and per-check overrides", () => {
    const spec = parseSmokeSpec(check("    http: { path: /x, method: POST, json: { a: 1 } }\n    timeout: 1.5s\n"));
    expect(spec.checks[0]).toMatchObject({
      kind: "http",
      timeoutMs: 1500,
      retries: BUILTIN_DEFAULTS.retries,
      retryDelayMs: BUILTIN_DEFAULTS.retryDelayMs,
      repeat: 1,
      request: { method: "POST", path: "/x", headers: {}, json: { a: 1 } },
      expect: { status: "2xx", json: [], headers: [] },
    });
  });
});

describe("parseSmokeSpec rejects, naming the key and its line", () => {
  it("an unknown top-level key", () => {
    expect(issuesOf("tests: []\nchecks:\n  - name: a\n    http: { path: / }\n")).toEqual([
      { line: 1, column: 1, path: "tests", message: 'unknown key "tests"; allowed keys: defaults, checks' },
    ]);
  });

  it("a misspelt expectation key", () => {
    expect(issuesOf(check("    http: { path: / }\n    expect:\n      stauts: 200\n"))).toEqual([
      { line: 5, column: 7, path: "checks[0].expect.stauts", message: 'unknown key "stauts"; allowed keys: status, json, headers, bodyContains, color' },
    ]);
  });

  it("an unknown key inside a matcher", () => {
    const [issue] = issuesOf(check("    http: { path: / }\n    expect:\n      json:\n        hits: { exist: true }\n"));
    expect(issue).toMatchObject({ line: 6, column: 17, path: "checks[0].expect.json.hits.exist" });
    expect(issue?.message).toContain('unknown key "exist"; allowed keys: exists, matches, equals, increments');
  });

  it("a duration without a unit", () => {
    expect(issuesOf("defaults: { timeout: 2 }\n" + check("    http: { path: / }\n"))).toEqual([
      { line: 1, column: 22, path: "defaults.timeout", message: "a duration needs a unit: write 2ms or 2s" },
    ]);
  });

  it("a duration that is not one", () => {
    const [issue] = issuesOf(check("    http: { path: / }\n    retryDelay: 2 seconds\n"));
    expect(issue).toMatchObject({ line: 4, path: "checks[0].retryDelay", message: 'expected a duration with a unit such as 2s or 500ms, got "2 seconds"' });
  });

  it("a check without a name", () => {
    expect(issuesOf("checks:\n  - http: { path: / }\n")).toEqual([{ line: 2, column: 5, path: "checks[0].name", message: 'missing required key "name"' }]);
  });

  it("a check with both http and ws, and one with neither", () => {
    const issues = issuesOf("checks:\n  - name: both\n    http: { path: / }\n    ws: { path: /ws }\n  - name: neither\n    retries: 1\n");
    expect(issues).toEqual([
      { line: 2, column: 5, path: "checks[0]", message: 'check "both" needs exactly one of http or ws' },
      { line: 5, column: 5, path: "checks[1]", message: 'check "neither" needs exactly one of http or ws' },
    ]);
  });

  it("a path that does not start with a slash", () => {
    expect(issuesOf(check("    http:\n      path: health\n"))).toEqual([
      { line: 4, column: 13, path: "checks[0].http.path", message: "path must start with /, like /health" },
    ]);
  });

  it("an unknown variable in an expectation", () => {
    const [issue] = issuesOf(check("    http: { path: / }\n    expect:\n      headers:\n        X-App-Version: ${VERSION}\n"));
    expect(issue).toMatchObject({ line: 6, column: 24, path: "checks[0].expect.headers.X-App-Version" });
    expect(issue?.message).toBe("unknown variable ${VERSION}; only ${EXPECT_VERSION} and ${EXPECT_COLOR} are substituted");
  });

  it("a variable in a request, where it would be sent literally", () => {
    const [issue] = issuesOf(check("    http:\n      path: /v/${EXPECT_VERSION}\n"));
    expect(issue).toMatchObject({ line: 4, column: 13, path: "checks[0].http.path" });
    expect(issue?.message).toContain("only substituted in expectations");
  });

  it("an invalid regular expression", () => {
    const [issue] = issuesOf(check("    http: { path: / }\n    expect: { json: { color: { matches: '(blue' } } }\n"));
    expect(issue).toMatchObject({ line: 4, path: "checks[0].expect.json.color.matches" });
    expect(issue?.message).toMatch(/^not a valid regular expression/);
  });

  it("duplicate check names", () => {
    expect(issuesOf("checks:\n  - name: same\n    http: { path: / }\n  - name: same\n    http: { path: /x }\n")).toEqual([
      { line: 4, column: 11, path: "checks[1].name", message: 'duplicate check name "same" (also check #1); names identify checks in reports' },
    ]);
  });

  it("an unknown method and an out-of-range status", () => {
    const issues = issuesOf(check("    http: { method: FETCH, path: / }\n    expect: { status: 42 }\n"));
    expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([
      [3, "checks[0].http.method", "method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"],
      [4, "checks[0].expect.status", "status codes are 100–599"],
    ]);
  });

  it("expect on a ws check and expectReply without send", () => {
    const issues = issuesOf(check("    ws:\n      path: /ws\n      expectReply: { type: echo }\n    expect: { status: 200 }\n"));
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [4, "checks[0].ws"],
      [6, "checks[0].expect"],
    ]);
    expect(issues[0]?.message).toContain("expectReply and echoWithin need send");
  });

  it("negative retries and a matcher with two forms", () => {
    const issues = issuesOf(check("    http: { path: / }\n    retries: -1\n    expect: { json: { a: { exists: true, equals: 1 } } }\n"));
    expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([
      [4, "checks[0].retries", "retries cannot be negative"],
      [5, "checks[0].expect.json.a", "a matcher object has exactly one of exists, matches, equals, increments; got exists, equals"],
    ]);
  });

  it("repeat outside 1–1000 or not a whole number", () => {
    expect(issuesOf(check("    http: { path: / }\n    repeat: 0\n")).map((i) => [i.line, i.path, i.message])).toEqual([[4, "checks[0].repeat", "repeat is at least 1"]]);
    expect(issuesOf(check("    http: { path: / }\n    repeat: 1001\n"))[0]?.message).toBe("repeat is at most 1000");
    expect(issuesOf(check("    http: { path: / }\n    repeat: 2.5\n"))[0]?.message).toBe("repeat must be a whole number");
  });

  it("a matcher that is a list", () => {
    const [issue] = issuesOf(check("    http: { path: / }\n    expect:\n      json:\n        a: [1, 2]\n"));
    expect(issue).toMatchObject({ line: 6, column: 12, path: "checks[0].expect.json.a" });
    expect(issue?.message).toMatch(/^expected a plain value .* or one of \{exists: true\|false\}/);
  });

  it("YAML syntax errors, duplicate keys and an empty file", () => {
    expect(issuesOf("checks:\n  - name: a\n    http: { path: /\n")[0]).toMatchObject({ path: "", message: expect.stringMatching(/^YAML: /) });
    expect(issuesOf("checks:\n  - name: a\n    http: { path: / }\n    http: { path: /x }\n")).toEqual([
      { line: 4, column: 5, path: "", message: "YAML: Map keys must be unique" },
    ]);
    expect(issuesOf("")[0]).toMatchObject({ line: 1, path: "" });
    expect(issuesOf("checks: []\n")).toEqual([{ line: 1, column: 9, path: "checks", message: "a spec needs at least one check" }]);
  });

  it("a message listing every problem as file:line:col, saying nothing was checked", () => {
    try {
      parseSmokeSpec("bogus: 1\nchecks:\n  - name: a\n    http: { path: x }\n", "my.yml");
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toBe(
        "smoke spec my.yml is invalid (2 problems); nothing was checked. Fix these and run again:\n" +
          '  my.yml:1:1: bogus: unknown key "bogus"; allowed keys: defaults, checks\n' +
          "  my.yml:4:19: checks[0].http.path: path must start with /, like /health",
      );
    }
  });

  it("a spec file that cannot be read", async () => {
    await expect(loadSmokeSpec("/nonexistent/smoke.yml")).rejects.toThrow(/cannot read the file \(ENOENT/);
  });
});
