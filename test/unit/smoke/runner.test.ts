import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoSpecPath } from "../../../smoke/command.js";
import { runSmoke, SmokeUsageError } from "../../../smoke/runner.js";
import { loadSmokeSpec, parseSmokeSpec } from "../../../smoke/spec.js";
import type { CheckResult, SmokeEvent } from "../../../smoke/types.js";
import { startFakeApp, type FakeApp } from "./fake-app.js";

const FAST = "defaults: { timeout: 1s, retries: 0, retryDelay: 20ms }\n";

const healthSpec = parseSmokeSpec(
  `${FAST}checks:
  - name: health is healthy
    http: { method: GET, path: /health }
    expect:
      status: 200
      json: { status: healthy, checks.redis: connected, version: "\${EXPECT_VERSION}" }
      headers: { X-App-Version: "\${EXPECT_VERSION}" }
`,
  "health.yml",
);

const only = (checks: CheckResult[]): CheckResult => {
  expect(checks).toHaveLength(1);
  return checks[0] as CheckResult;
};

let app: FakeApp;
beforeEach(async () => {
  app = await startFakeApp();
});
afterEach(async () => {
  await app.close();
});

describe("runSmoke over HTTP", () => {
  it("passes the shipped demo spec against a healthy app and reports events in order", async () => {
    const spec = await loadSmokeSpec(demoSpecPath());
    const events: SmokeEvent[] = [];
    const result = await runSmoke(spec, { baseUrl: app.url, expectVersion: "v1", expectColor: "blue", onEvent: (e) => events.push(e) });
    expect(result.checks.map((c) => [c.name, c.ok, c.failures, c.error])).toEqual(spec.checks.map((c) => [c.name, true, [], undefined]));
    expect(result.ok).toBe(true);
    expect(result.target).toBe(`${app.url}/`);
    expect(result.expectVersion).toBe("v1");
    expect(events.map((e) => e.type)).toEqual(spec.checks.flatMap(() => ["check-start", "check-end"]));
    expect(result.checks.every((c) => c.notes === undefined)).toBe(true);
  });

  it("relaxes version expectations to presence, with a note, when no version is given", async () => {
    const result = await runSmoke(healthSpec, { baseUrl: app.url });
    const check = only(result.checks);
    expect(check.ok).toBe(true);
    expect(check.notes).toEqual([
      "no expected version given: only checked that header X-App-Version is present",
      "no expected version given: only checked that json version is present",
    ]);
  });

  it("fails on a wrong status, naming expected and actual and keeping a body excerpt", async () => {
    app.state.healthStatus = 503;
    const check = only((await runSmoke(healthSpec, { baseUrl: app.url, expectVersion: "v1" })).checks);
    expect(check.ok).toBe(false);
    expect(check.failures).toContainEqual({ what: "status", expected: "200", actual: "503" });
    expect(check.failures).toContainEqual({ what: "json status", expected: '"healthy"', actual: '"unhealthy"' });
    expect(check.bodyExcerpt).toContain('"status":"unhealthy"');
  });

  it("fails on a JSON field mismatch at a dotted path", async () => {
    app.state.redis = "disconnected";
    const result = await runSmoke(healthSpec, { baseUrl: app.url, expectVersion: "v1" });
    expect(result.ok).toBe(false);
    expect(only(result.checks).failures).toEqual([{ what: "json checks.redis", expected: '"connected"', actual: '"disconnected"' }]);
  });

  it("fails when a header is missing, even when no version is expected", async () => {
    app.state.omitVersionHeader = true;
    const withVersion = only((await runSmoke(healthSpec, { baseUrl: app.url, expectVersion: "v1" })).checks);
    expect(withVersion.failures).toEqual([{ what: "header X-App-Version", expected: '"v1"', actual: "(missing)" }]);
    const withoutVersion = only((await runSmoke(healthSpec, { baseUrl: app.url })).checks);
    expect(withoutVersion.ok).toBe(false);
    expect(withoutVersion.failures[0]).toMatchObject({ what: "header X-App-Version", actual: "(missing)" });
  });

  it("fails on a version mismatch, showing both versions", async () => {
    const check = only((await runSmoke(healthSpec, { baseUrl: app.url, expectVersion: "v2" })).checks);
    expect(check.failures).toEqual([
      { what: "header X-App-Version", expected: '"v2"', actual: '"v1"' },
      { what: "json version", expected: '"v2"', actual: '"v1"' },
    ]);
  });

  it("retries a failing check and passes when a later attempt succeeds", async () => {
    app.state.failHealthTimes = 2;
    const spec = parseSmokeSpec(
      `checks:\n  - name: health\n    http: { path: /health }\n    expect: { status: 200 }\n    retries: 3\n    retryDelay: 30ms\n`,
    );
    const events: SmokeEvent[] = [];
    const result = await runSmoke(spec, { baseUrl: app.url, onEvent: (e) => events.push(e) });
    const check = only(result.checks);
    expect(check).toMatchObject({ ok: true, attempts: 3, failures: [] });
    const failedAttempts = events.filter((e) => e.type === "attempt-failed");
    expect(failedAttempts).toEqual([
      { type: "attempt-failed", name: "health", attempt: 1, maxAttempts: 4, error: "status: expected 200, got 503", retryInMs: 30 },
      { type: "attempt-failed", name: "health", attempt: 2, maxAttempts: 4, error: "status: expected 200, got 503", retryInMs: 30 },
    ]);
    expect(check.durationMs).toBeGreaterThanOrEqual(55);
  });

  it("repeat: every send must pass, without retries, so a release failing 1 in 20 requests is caught", async () => {
    app.state.failRootEvery = 20;
    const spec = parseSmokeSpec(`checks:\n  - name: root\n    http: { path: / }\n    retries: 3\n    retryDelay: 10ms\n    repeat: 100\n`);
    const check = only((await runSmoke(spec, { baseUrl: app.url })).checks);
    expect(check.ok).toBe(false);
    expect(check.attempts).toBe(1);
    expect(check.repeated).toEqual({ passed: 19, of: 100 });
    expect(check.error).toBe("send 20 of 100 failed (19 passed before it): status: expected 2xx, got 500");
    expect(app.state.rootRequests).toBe(20);
  });

  it("repeat passes when all sends pass, after retries absorbed a slow start", async () => {
    app.state.failHealthTimes = 1;
    const spec = parseSmokeSpec(`checks:\n  - name: health\n    http: { path: /health }\n    retries: 1\n    retryDelay: 10ms\n    repeat: 30\n`);
    const check = only((await runSmoke(spec, { baseUrl: app.url })).checks);
    expect(check).toMatchObject({ ok: true, attempts: 2, repeated: { passed: 30, of: 30 } });
    expect(app.state.healthRequests).toBe(31);
  });

  it("gives up after the last retry and reports the number of attempts", async () => {
    app.state.healthStatus = 500;
    const spec = parseSmokeSpec(`checks:\n  - name: health\n    http: { path: /health }\n    retries: 2\n    retryDelay: 10ms\n`);
    const check = only((await runSmoke(spec, { baseUrl: app.url })).checks);
    expect(check).toMatchObject({ ok: false, attempts: 3 });
    expect(check.failures).toEqual([{ what: "status", expected: "2xx", actual: "500" }]);
    expect(app.state.healthRequests).toBe(3);
  });

  it("times out a slow response within the check timeout", async () => {
    app.state.healthDelayMs = 2000;
    const spec = parseSmokeSpec(`checks:\n  - name: slow health\n    http: { path: /health }\n    timeout: 200ms\n    retries: 0\n`);
    const check = only((await runSmoke(spec, { baseUrl: app.url })).checks);
    expect(check.ok).toBe(false);
    expect(check.error).toMatch(/no complete response from GET http:\/\/127\.0\.0\.1:\d+\/health within 200 ms \(timeout\)/);
    expect(check.durationMs).toBeGreaterThanOrEqual(190);
    expect(check.durationMs).toBeLessThan(1000);
  });

  it("checks that a counter increments by posting twice", async () => {
    const spec = parseSmokeSpec(`${FAST}checks:\n  - name: counter\n    http: { method: POST, path: /api/hits }\n    expect: { json: { hits: { increments: true } } }\n`);
    expect(only((await runSmoke(spec, { baseUrl: app.url })).checks).ok).toBe(true);
    expect(app.state.hits).toBe(2);
    app.state.countHits = false;
    const stuck = only((await runSmoke(spec, { baseUrl: app.url })).checks);
    expect(stuck.failures).toEqual([{ what: "json hits", expected: "a number greater than 2 (the first response)", actual: "2" }]);
  });

  it("bounds the body excerpt and reports a non-JSON body", async () => {
    const spec = parseSmokeSpec(`${FAST}checks:\n  - name: html\n    http: { path: /html }\n    expect: { json: { a: 1 } }\n`);
    const check = only((await runSmoke(spec, { baseUrl: app.url })).checks);
    expect(check.failures).toEqual([{ what: "json body", expected: "a JSON body", actual: "a body that is not JSON" }]);
    expect(check.bodyExcerpt?.startsWith("<html>xxx")).toBe(true);
    expect(check.bodyExcerpt?.length).toBeLessThan(340);
  });

  it("reports a refused connection as an error naming the target", async () => {
    const port = await freePort();
    const check = only((await runSmoke(healthSpec, { baseUrl: `http://127.0.0.1:${port}` })).checks);
    expect(check.ok).toBe(false);
    expect(check.error).toContain(`GET http://127.0.0.1:${port}/health failed: connection refused`);
  });

  it("honours a path prefix in the base URL", async () => {
    const spec = parseSmokeSpec(`${FAST}checks:\n  - name: prefixed\n    http: { path: /health }\n    expect: { status: 404 }\n`);
    expect(only((await runSmoke(spec, { baseUrl: `${app.url}/prefix/` })).checks).ok).toBe(true);
  });

  it("throws a usage error for a URL it cannot use, before running anything", async () => {
    await expect(runSmoke(healthSpec, { baseUrl: "not a url" })).rejects.toThrow(SmokeUsageError);
    await expect(runSmoke(healthSpec, { baseUrl: "ftp://127.0.0.1:1" })).rejects.toThrow(/uses ftp:; nothing was checked/);
    expect(app.state.healthRequests).toBe(0);
  });

  it("stops when aborted and marks the remaining checks as not run", async () => {
    app.state.healthDelayMs = 5000;
    const spec = parseSmokeSpec(
      `checks:\n  - name: slow\n    http: { path: /health }\n    timeout: 10s\n  - name: later\n    http: { path: / }\n`,
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const result = await runSmoke(spec, { baseUrl: app.url, signal: controller.signal });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ ok: false, aborted: true });
    expect(result.checks.map((c) => [c.name, c.ok, c.attempts, c.error])).toEqual([
      ["slow", false, 1, "aborted: the smoke run was cancelled"],
      ["later", false, 0, "not run: the smoke run was aborted"],
    ]);
  });
});

describe("runSmoke over WebSocket", () => {
  const wsSpec = (extra = "") =>
    parseSmokeSpec(
      `${FAST}checks:
  - name: ws
    ws:
      path: /ws
      expectFirst: { type: hello, version: "\${EXPECT_VERSION}" }
      send: ping
      expectReply: { type: echo, data: ping }
      echoWithin: 300ms${extra}
`,
    );

  it("passes when the upgrade, hello and echo all work, ignoring ticks in between", async () => {
    const check = only((await runSmoke(wsSpec(), { baseUrl: app.url, expectVersion: "v1" })).checks);
    expect(check).toMatchObject({ ok: true, kind: "ws", attempts: 1, failures: [] });
  });

  it("uses the default echo match (JSON data equal to what was sent) without expectReply", async () => {
    const spec = parseSmokeSpec(`${FAST}checks:\n  - name: ws\n    ws: { path: /ws, send: hi, echoWithin: 300ms }\n`);
    expect(only((await runSmoke(spec, { baseUrl: app.url })).checks).ok).toBe(true);
  });

  it("fails when the upgrade is refused, with the status and body", async () => {
    app.state.ws = "refuse";
    const check = only((await runSmoke(wsSpec(), { baseUrl: app.url })).checks);
    expect(check.failures).toEqual([{ what: "ws upgrade", expected: "101 Switching Protocols", actual: "403 Forbidden" }]);
    expect(check.bodyExcerpt).toBe("upgrades are refused here");
  });

  it("fails when the first message does not match", async () => {
    app.state.ws = "wrong-hello";
    const check = only((await runSmoke(wsSpec(), { baseUrl: app.url, expectVersion: "v1" })).checks);
    expect(check.failures).toEqual([{ what: "ws first message type", expected: '"hello"', actual: '"welcome"' }]);
    expect(check.bodyExcerpt).toContain('"type":"welcome"');
  });

  it("fails with a version mismatch in the hello", async () => {
    const check = only((await runSmoke(wsSpec(), { baseUrl: app.url, expectVersion: "v9" })).checks);
    expect(check.failures).toEqual([{ what: "ws first message version", expected: '"v9"', actual: '"v1"' }]);
  });

  it("fails when the first message is not JSON", async () => {
    app.state.ws = "not-json";
    const check = only((await runSmoke(wsSpec(), { baseUrl: app.url })).checks);
    expect(check.failures).toEqual([{ what: "ws first message", expected: "a JSON message", actual: "hello there" }]);
  });

  it("fails when the echo does not come back within the echo time", async () => {
    app.state.ws = "no-echo";
    const started = performance.now();
    const check = only((await runSmoke(wsSpec(), { baseUrl: app.url })).checks);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(check.failures).toHaveLength(1);
    expect(check.failures[0]?.what).toBe("ws echo");
    expect(check.failures[0]?.expected).toBe('a reply matching {type: "echo", data: "ping"} within 300 ms');
    expect(check.failures[0]?.actual).toMatch(/^none \(timeout\); got \d+ other message\(s\), last \{"type":"tick","seq":\d+\}$/);
  });

  it("fails when no first message arrives within the check timeout", async () => {
    app.state.ws = "silent";
    const spec = parseSmokeSpec(`checks:\n  - name: ws\n    ws: { path: /ws, expectFirst: { type: hello } }\n    timeout: 300ms\n    retries: 0\n`);
    const check = only((await runSmoke(spec, { baseUrl: app.url })).checks);
    expect(check.failures).toEqual([{ what: "ws first message", expected: "a message within 300 ms", actual: "nothing (timeout)" }]);
    expect(check.durationMs).toBeLessThan(1000);
  });

  it("fails when the server closes before the first message", async () => {
    app.state.ws = "close-before-hello";
    const check = only((await runSmoke(wsSpec(), { baseUrl: app.url })).checks);
    expect(check.failures).toEqual([{ what: "ws first message", expected: "a first message", actual: "connection closed (code 1001, draining) before it arrived" }]);
  });

  it("retries a refused upgrade and passes once the server accepts", async () => {
    app.state.ws = "refuse";
    setTimeout(() => (app.state.ws = "ok"), 150);
    const spec = parseSmokeSpec(`checks:\n  - name: ws\n    ws: { path: /ws, expectFirst: { type: hello } }\n    retries: 20\n    retryDelay: 50ms\n`);
    const check = only((await runSmoke(spec, { baseUrl: app.url })).checks);
    expect(check.ok).toBe(true);
    expect(check.attempts).toBeGreaterThan(1);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
