import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demoSpecPath, runSmokeCommand } from "../../../smoke/command.js";
import { startFakeApp, type FakeApp } from "./fake-app.js";
import { parseXml } from "./xml-check.js";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let app: FakeApp;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bg-smoke-cmd-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  app = await startFakeApp();
});
afterEach(async () => {
  await app.close();
});

const base = () => ({ baseUrl: app.url, specFile: demoSpecPath(), json: false, isTTY: false, env: {} as NodeJS.ProcessEnv });

describe("runSmokeCommand", () => {
  it("exits 0 and prints a plain line per check and a summary when everything passes", async () => {
    const out = new Capture();
    expect(await runSmokeCommand({ ...base(), expectVersion: "v1", expectColor: "blue", out })).toBe(0);
    const lines = out.text.trimEnd().split("\n");
    // A check's time is "850 ms" or, on a busy machine, "1.04 s" (smoke's formatDuration).
    expect(lines.slice(0, 5).map((l) => l.replace(/ {2}(\d+ ms|\d+\.\d+ s)(, 100\/100 repeats)?$/, ""))).toEqual([
      "✓ health is healthy",
      "✓ root reports its color and version",
      "✓ root answers 100 times in a row",
      "✓ counter increments",
      "✓ websocket says hello and echoes",
    ]);
    expect(lines[2]).toMatch(/, 100\/100 repeats$/);
    expect(lines[5]).toMatch(/^smoke PASSED: 5 of 5 checks passed against http:\/\/127\.0\.0\.1:\d+\/ \(expecting version v1, color blue\) in (\d+ ms|\d+\.\d+ s)$/);
    expect(out.text).not.toContain("\u001b[");
  });

  it("exits 1 on a version mismatch and says what was expected and what came back", async () => {
    const out = new Capture();
    expect(await runSmokeCommand({ ...base(), expectVersion: "v2", out })).toBe(1);
    expect(out.text).toContain('✗ health is healthy');
    expect(out.text).toContain('    header X-App-Version: expected "v2", got "v1"');
    expect(out.text).toContain('    ws first message version: expected "v2", got "v1"');
    expect(out.text).toMatch(/smoke FAILED: 3 of 5 checks failed against/);
  });

  it("exits 2 with every problem located when the spec is bad, running nothing", async () => {
    const specFile = join(dir, "bad.yml");
    await writeFile(specFile, "checks:\n  - name: x\n    http: { path: /health }\n    expect: { stauts: 200 }\n");
    const out = new Capture();
    const err = new Capture();
    expect(await runSmokeCommand({ ...base(), specFile, out, err })).toBe(2);
    expect(out.text).toBe("");
    expect(err.text).toContain(`${specFile}:4:15: checks[0].expect.stauts: unknown key "stauts"`);
    expect(app.state.healthRequests).toBe(0);
  });

  it("exits 2 for an unusable target URL", async () => {
    const out = new Capture();
    expect(await runSmokeCommand({ ...base(), baseUrl: "127.0.0.1:8081", out })).toBe(2);
    expect(out.text).toMatch(/smoke target "127\.0\.0\.1:8081" (is not a URL|uses 127\.0\.0\.1:); nothing was checked/);
  });

  it("streams events as JSON lines and ends with the result object", async () => {
    const out = new Capture();
    expect(await runSmokeCommand({ ...base(), json: true, expectVersion: "v1", out })).toBe(0);
    const lines = out.text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, -1).map((l) => l.type)).toEqual(Array(5).fill(["check-start", "check-end"]).flat());
    const result = lines[lines.length - 1];
    expect(result).toMatchObject({ ok: true, expectVersion: "v1", target: `${app.url}/` });
    expect((result?.checks as unknown[]).length).toBe(5);
  });

  it("reports a bad spec as a JSON error line with the issues", async () => {
    const specFile = join(dir, "bad-json.yml");
    await writeFile(specFile, "checks: nope\n");
    const out = new Capture();
    expect(await runSmokeCommand({ ...base(), specFile, json: true, out })).toBe(2);
    const line = JSON.parse(out.text) as { type: string; kind: string; issues: { line: number; path: string }[] };
    expect(line).toMatchObject({ type: "error", kind: "spec", issues: [{ line: 1, path: "checks" }] });
  });

  it("rewrites the progress line on a TTY, with colors unless NO_COLOR is set", async () => {
    app.state.failHealthTimes = 1;
    const colored = new Capture();
    expect(await runSmokeCommand({ ...base(), isTTY: true, out: colored })).toBe(0);
    expect(colored.text).toContain("\u001b[2m… health is healthy (1/5)\u001b[0m");
    expect(colored.text).toContain("\r\u001b[2K\u001b[2m… health is healthy: attempt 1/3 failed (status: expected 200, got 503; json status:");
    expect(colored.text).toContain("\r\u001b[2K\u001b[32m✓\u001b[0m health is healthy");

    const plain = new Capture();
    expect(await runSmokeCommand({ ...base(), isTTY: true, env: { NO_COLOR: "1" }, out: plain })).toBe(0);
    expect(plain.text).toContain("\r\u001b[2K✓ health is healthy");
    for (const sgr of ["\u001b[2m", "\u001b[31m", "\u001b[32m", "\u001b[0m"]) expect(plain.text).not.toContain(sgr);
  });

  it("writes a JUnit file that parses, and exits 2 when it cannot be written", async () => {
    const junitFile = join(dir, "smoke.xml");
    const out = new Capture();
    expect(await runSmokeCommand({ ...base(), expectVersion: "v2", junitFile, out })).toBe(1);
    const suite = parseXml(await readFile(junitFile, "utf8")).children[0];
    expect(suite?.attributes).toMatchObject({ tests: "5", failures: "3" });

    const unwritable = new Capture();
    expect(await runSmokeCommand({ ...base(), junitFile: join(dir, "no", "such", "dir.xml"), out: unwritable })).toBe(2);
    expect(unwritable.text).toMatch(/could not write the JUnit report to .*dir\.xml: ENOENT/);
    expect(unwritable.text).toMatch(/smoke PASSED/);
  });
});
