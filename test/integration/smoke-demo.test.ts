// The shipped demo smoke spec against the real demo stack (nginx proxy, Redis, app colors), through
// the proxy's live and preview routes on 127.0.0.1 only. Stack: bgt-h4-smoke-*, ports 18301/18302.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoSpecPath, runSmokeCommand } from "../../smoke/command.js";
import { formatTextReport } from "../../smoke/report/text.js";
import { runSmoke } from "../../smoke/runner.js";
import { loadSmokeSpec } from "../../smoke/spec.js";
import type { SmokeSpec } from "../../smoke/types.js";
import { startDemoStack, waitForColor, type DemoStack } from "../../testkit/demo-stack.js";
import { parseXml } from "../unit/smoke/xml-check.js";

const PROXY_PORT = 18301;
const PREVIEW_PORT = 18302;

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let stack: DemoStack | undefined;
let spec: SmokeSpec;
let dir: string;

const live = (): DemoStack => {
  if (!stack) throw new Error("demo stack did not start (see beforeAll)");
  return stack;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bgt-h4-smoke-"));
  spec = await loadSmokeSpec(demoSpecPath());
  stack = await startDemoStack({ name: "bgt-h4-smoke", proxyPort: PROXY_PORT, previewPort: PREVIEW_PORT, colors: { blue: { version: "v1" } } });
  await waitForColor(stack.liveUrl, "blue");
});

afterAll(async () => {
  try {
    await stack?.destroy();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe("the demo smoke spec against the real demo stack", () => {
  it("passes against blue through the live route when v1 is expected", async () => {
    const result = await runSmoke(spec, { baseUrl: live().liveUrl, expectVersion: "v1", expectColor: "blue" });
    const report = formatTextReport(result, { color: false });
    expect(result.ok, report).toBe(true);
    expect(result.checks.map((c) => [c.name, c.ok, c.attempts])).toEqual(spec.checks.map((c) => [c.name, true, 1]));
    expect(result.durationMs).toBeLessThan(5000);
  });

  it("fails with a clear message when v2 is expected but blue runs v1", async () => {
    const result = await runSmoke(spec, { baseUrl: live().liveUrl, expectVersion: "v2" });
    expect(result.ok).toBe(false);
    const health = result.checks.find((c) => c.name === "health is healthy");
    expect(health?.attempts).toBe(3);
    expect(health?.failures).toEqual([
      { what: "header X-App-Version", expected: '"v2"', actual: '"v1"' },
      { what: "json version", expected: '"v2"', actual: '"v1"' },
    ]);
    expect(result.checks.find((c) => c.kind === "ws")?.failures).toEqual([{ what: "ws first message version", expected: '"v2"', actual: '"v1"' }]);
    expect(result.checks.find((c) => c.name === "counter increments")?.ok).toBe(true);
    const report = formatTextReport(result, { color: false });
    expect(report).toContain('✗ health is healthy');
    expect(report).toContain('    header X-App-Version: expected "v2", got "v1"');
    expect(report).toContain(`smoke FAILED: 3 of 5 checks failed against ${live().liveUrl}/ (expecting version v2)`);
  });

  it("fails through the preview route while no green runs, then passes once green v2 is up", async () => {
    const before = await runSmoke(spec, { baseUrl: live().previewUrl, expectVersion: "v2", expectColor: "green" });
    expect(before.ok).toBe(false);
    // nginx answers 502 for an upstream that is not there; the report shows it and nginx's page.
    const health = before.checks[0];
    expect(health?.failures[0]).toEqual({ what: "status", expected: "200", actual: "502" });
    expect(health?.bodyExcerpt).toContain("502 Bad Gateway");
    expect(before.checks.find((c) => c.kind === "ws")?.failures).toEqual([{ what: "ws upgrade", expected: "101 Switching Protocols", actual: "502 Bad Gateway" }]);

    await live().upColor("green", { version: "v2" });
    await waitForColor(live().previewUrl, "green");

    const out = new Capture();
    const junitFile = join(dir, "smoke-green.xml");
    const code = await runSmokeCommand({
      baseUrl: live().previewUrl,
      specFile: demoSpecPath(),
      expectVersion: "v2",
      expectColor: "green",
      json: true,
      junitFile,
      out,
      isTTY: false,
    });
    const lines = out.text.trimEnd().split("\n");
    const result = JSON.parse(lines[lines.length - 1] ?? "{}") as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(code, out.text).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => c.ok)).toEqual([true, true, true, true, true]);
    const suite = parseXml(await readFile(junitFile, "utf8")).children[0];
    expect(suite?.attributes).toMatchObject({ tests: "5", failures: "0" });

    // Bringing green up behind the preview route left the live route on blue v1.
    const stillBlue = await runSmoke(spec, { baseUrl: live().liveUrl, expectVersion: "v1", expectColor: "blue" });
    expect(stillBlue.ok, formatTextReport(stillBlue, { color: false })).toBe(true);
  });
});
