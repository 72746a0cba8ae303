import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.js";
import { configErrorOf, VALID_YAML } from "./helpers.js";

async function expectIssues(fn: () => unknown, wanted: Array<{ path: string; message: RegExp }>): Promise<void> {
  const error = await configErrorOf(fn);
  for (const w of wanted) {
    const issue = error.issues.find((i) => i.path === w.path);
    expect(issue, `no issue at ${w.path} in:\n${error.message}`).toBeDefined();
    expect(issue?.message).toMatch(w.message);
  }
}

const withKeys = (extra: string): string => `${VALID_YAML.replace(/^health: .*$/m, "").replace(/^verify: .*$/m, "")}\n${extra}\n`;

describe("bluegreen.yml keys for adopted stacks", () => {
  it("defaults: BLUEGREEN_VERSION, no health.path, verify GET /, stop timeout from the compose files", () => {
    const config = parseConfig(withKeys(""), "/s/bluegreen.yml", {});
    expect(config.versionVariable).toBe("BLUEGREEN_VERSION");
    expect(config.health.path).toBeNull();
    expect(config.verify).toMatchObject({ path: "/", method: "GET" });
    expect(config.stop.timeoutMs).toBeNull();
  });

  it("accepts a health or verify block with only some of its keys", () => {
    const config = parseConfig(withKeys("health: { timeout: 60s }\nverify: { method: HEAD }"), "/s/bluegreen.yml", {});
    expect(config.health).toMatchObject({ timeoutMs: 60_000, intervalMs: 1_000 });
    expect(config.verify).toMatchObject({ durationMs: 5_000, method: "HEAD" });
  });

  it("verify.path defaults to health.path when that is set", () => {
    const config = parseConfig(withKeys("health: { path: /healthz }"), "/s/bluegreen.yml", {});
    expect(config.health.path).toBe("/healthz");
    expect(config.verify.path).toBe("/healthz");
  });

  it("reads versionVariable, verify.path/method and stop.timeout as written", () => {
    const config = parseConfig(withKeys("versionVariable: APP_VERSION\nhealth: { path: /healthz }\nverify: { path: /ping, method: HEAD }\nstop: { timeout: 30s }"), "/s/bluegreen.yml", {});
    expect(config.versionVariable).toBe("APP_VERSION");
    expect(config.verify).toMatchObject({ path: "/ping", method: "HEAD" });
    expect(config.stop.timeoutMs).toBe(30_000);
  });

  it("rejects a bad verify method, a path without /, a bad variable name and a tiny stop timeout, naming each key", async () => {
    await expectIssues(() => parseConfig(withKeys("versionVariable: 1VERSION\nhealth: { path: healthz }\nverify: { method: POST }"), "/s/bluegreen.yml", {}), [
      { path: "versionVariable", message: /not a valid environment variable name/ },
      { path: "health.path", message: /is not a request path; write one starting with "\/"/ },
      { path: "verify.method", message: /is not one of GET, HEAD/ },
    ]);
    await expectIssues(() => parseConfig(withKeys("stop: { timeout: 10ms }"), "/s/bluegreen.yml", {}), [{ path: "stop.timeout", message: /at least 1s/ }]);
  });

  it("refuses a versionVariable that bluegreen sets itself", async () => {
    await expectIssues(() => parseConfig(withKeys("versionVariable: BG_STACK"), "/s/bluegreen.yml", {}), [{ path: "versionVariable", message: /is set by bluegreen itself/ }]);
  });
});
