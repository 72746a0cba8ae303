import { describe, expect, it } from "vitest";
import { formatJUnit, escapeXml } from "../../../smoke/report/junit.js";
import { formatCheckResult, formatSummary, formatTextReport, shouldUseColor } from "../../../smoke/report/text.js";
import type { SmokeResult } from "../../../smoke/types.js";
import { parseXml } from "./xml-check.js";

const failing: SmokeResult = {
  ok: false,
  target: "http://127.0.0.1:8081/",
  durationMs: 2345,
  startedAt: "2026-01-02T03:04:05.000Z",
  expectVersion: "v2",
  checks: [
    { name: "health is healthy", kind: "http", ok: true, attempts: 1, durationMs: 12, failures: [], notes: ["no expected color given: only checked that header X-App-Color is present"] },
    {
      name: `tricky <name> & "quotes" 'too'`,
      kind: "http",
      ok: false,
      attempts: 3,
      durationMs: 2100,
      failures: [
        { what: "status", expected: "200", actual: "503" },
        { what: "header X-App-Version", expected: '"v2"', actual: '"v1"' },
      ],
      bodyExcerpt: '{"status":"<starting>","a&b":1}\u0001\nsecond line',
    },
    { name: "websocket", kind: "ws", ok: false, attempts: 1, durationMs: 2000, failures: [], error: "no WebSocket upgrade within 2000 ms (timeout)" },
  ],
};

describe("text report", () => {
  it("prints one line per check with ✓/✗ and time, details indented, no colors when asked", () => {
    const text = formatTextReport(failing, { color: false });
    expect(text).toBe(
      [
        "✓ health is healthy  12 ms",
        "    note: no expected color given: only checked that header X-App-Color is present",
        `✗ tricky <name> & "quotes" 'too'  2.10 s, 3 attempts`,
        "    status: expected 200, got 503",
        '    header X-App-Version: expected "v2", got "v1"',
        '    body: {"status":"<starting>","a&b":1}\u0001 ⏎ second line',
        "✗ websocket  2.00 s",
        "    error: no WebSocket upgrade within 2000 ms (timeout)",
        `smoke FAILED: 2 of 3 checks failed against http://127.0.0.1:8081/ (expecting version v2) in 2.35 s: "tricky <name> & "quotes" 'too'", "websocket". ` +
          "Nothing was changed by this run; fix the target (or the spec, if the expectation is wrong) and run the smoke test again.",
        "",
      ].join("\n"),
    );
    expect(text).not.toContain("\u001b[");
  });

  it("colors the marks only when color is on", () => {
    const check = failing.checks[0];
    if (!check) throw new Error("fixture");
    expect(formatCheckResult(check, { color: true })).toContain("\u001b[32m✓\u001b[0m");
    expect(formatSummary({ ...failing, ok: true, checks: [check] }, { color: true })).toContain("\u001b[32msmoke PASSED\u001b[0m: 1 of 1 checks passed");
  });

  it("uses colors only on a TTY without NO_COLOR", () => {
    expect(shouldUseColor(true, {})).toBe(true);
    expect(shouldUseColor(false, {})).toBe(false);
    expect(shouldUseColor(true, { NO_COLOR: "1" })).toBe(false);
    expect(shouldUseColor(true, { NO_COLOR: "" })).toBe(true);
  });
});

describe("JUnit report", () => {
  it("is well-formed XML with one testsuite and one testcase per check", () => {
    const root = parseXml(formatJUnit(failing));
    expect(root.name).toBe("testsuites");
    expect(root.attributes).toMatchObject({ tests: "3", failures: "2", errors: "0", time: "2.345" });
    expect(root.children).toHaveLength(1);
    const suite = root.children[0];
    expect(suite?.name).toBe("testsuite");
    expect(suite?.attributes).toMatchObject({ name: "bluegreen smoke http://127.0.0.1:8081/", tests: "3", failures: "2", timestamp: "2026-01-02T03:04:05.000Z" });
    const cases = suite?.children.filter((c) => c.name === "testcase") ?? [];
    expect(cases.map((c) => [c.attributes.name, c.attributes.classname, c.attributes.time])).toEqual([
      ["health is healthy", "smoke.http", "0.012"],
      [`tricky <name> & "quotes" 'too'`, "smoke.http", "2.100"],
      ["websocket", "smoke.ws", "2.000"],
    ]);
    expect(cases[0]?.children.map((c) => c.name)).toEqual(["system-out"]);
    const failure = cases[1]?.children[0];
    expect(failure?.name).toBe("failure");
    expect(failure?.attributes).toEqual({ message: "status: expected 200, got 503", type: "mismatch" });
    expect(failure?.text).toBe(
      'status: expected 200, got 503\nheader X-App-Version: expected "v2", got "v1"\nbody: {"status":"<starting>","a&b":1}\uFFFD\nsecond line\nattempts: 3',
    );
    expect(cases[2]?.children[0]?.attributes).toEqual({ message: "error: no WebSocket upgrade within 2000 ms (timeout)", type: "error" });
    const properties = suite?.children.find((c) => c.name === "properties")?.children.map((p) => [p.attributes.name, p.attributes.value]);
    expect(properties).toEqual([
      ["target", "http://127.0.0.1:8081/"],
      ["expectVersion", "v2"],
    ]);
  });

  it("escapes <, >, &, quotes and drops characters XML cannot carry", () => {
    expect(escapeXml(`<a href="x">&'\u0000\u001f\t`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;\uFFFD\uFFFD\t");
    const xml = formatJUnit(failing);
    expect(xml).toContain('name="tricky &lt;name&gt; &amp; &quot;quotes&quot; &apos;too&apos;"');
    expect(xml).not.toContain("\u0001");
  });

  it("the checker itself rejects broken XML", () => {
    const ok = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(() => parseXml(`${ok}<a><b></a></b>`)).toThrow(/closes/);
    expect(() => parseXml(`${ok}<a>x & y</a>`)).toThrow(/bare &/);
    expect(() => parseXml(`${ok}<a t="<"/>`)).toThrow(/not well-formed/);
    expect(() => parseXml(`${ok}<a>`)).toThrow(/unclosed/);
  });
});
