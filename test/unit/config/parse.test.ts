import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.js";
import { VALID_YAML, withLine } from "./helpers.js";

const REPO = resolve(import.meta.dirname, "../../..");

describe("parseConfig builds a resolved Config", () => {
  it("resolves paths from the config file's directory and converts durations to ms", () => {
    const config = parseConfig(VALID_YAML, "/srv/stack/bluegreen.yml", {});
    expect(config.file).toBe("/srv/stack/bluegreen.yml");
    expect(config.root).toBe("/srv/stack");
    expect(config.compose).toEqual({ shared: "/srv/stack/compose.yml", blue: "/srv/stack/compose.blue.yml", green: "/srv/stack/compose.green.yml" });
    expect(config.proxy).toEqual({
      driver: "nginx",
      service: "proxy",
      runDir: "/srv/stack/.bluegreen/run",
      upstream: "app-{color}:3000",
      liveUrl: "http://127.0.0.1:8080",
      previewUrl: "http://127.0.0.1:8081",
    });
    expect(config.health).toEqual({ timeoutMs: 180_000, intervalMs: 1_000, path: null });
    expect(config.drain).toEqual({ timeoutMs: 30_000 });
    expect(config.verify).toEqual({ durationMs: 5_000, intervalMs: 50, path: "/", method: "GET", urls: [] });
    expect(config.stateDir).toBe("/srv/stack/.bluegreen");
    expect(config.keepOldWarm).toBe(true);
    expect(config.smoke).toEqual({ spec: null, expectVersionHeader: null });
  });

  it("always adds BG_STACK and BG_RUN_DIR to the compose environment", () => {
    const config = parseConfig(VALID_YAML, "/srv/stack/bluegreen.yml", {});
    expect(config.env).toEqual({ PROXY_PORT: "8080", BG_STACK: "demo", BG_RUN_DIR: "/srv/stack/.bluegreen/run" });
  });

  it("fills defaults for everything but stack, services and the proxy routes", () => {
    const minimal = ["stack: s", "services: [web, worker]", "proxy:", '  upstream: "web-{color}:80"', "  live: http://localhost:9000", "  preview: http://localhost:9001"].join("\n");
    const config = parseConfig(minimal, "/x/bg.yml", {});
    expect(config.compose.blue).toBe("/x/compose.blue.yml");
    expect(config.proxy.driver).toBe("nginx");
    expect(config.proxy.runDir).toBe("/x/.bluegreen/run");
    expect(config.health).toEqual({ timeoutMs: 180_000, intervalMs: 1_000, path: null });
    expect(config.drain.timeoutMs).toBe(30_000);
    expect(config.stateDir).toBe("/x/.bluegreen");
    expect(config.services).toEqual(["web", "worker"]);
    expect(config.env).toEqual({ BG_STACK: "s", BG_RUN_DIR: "/x/.bluegreen/run" });
  });

  it("lets HEALTH_CHECK_TIMEOUT, HEALTH_CHECK_INTERVAL and DRAIN_TIMEOUT win over the file", () => {
    const config = parseConfig(VALID_YAML, "/s/bluegreen.yml", { HEALTH_CHECK_TIMEOUT: "120", HEALTH_CHECK_INTERVAL: "500ms", DRAIN_TIMEOUT: "2m" });
    expect(config.health).toEqual({ timeoutMs: 120_000, intervalMs: 500, path: null });
    expect(config.drain.timeoutMs).toBe(120_000);
  });

  it("ignores empty override variables", () => {
    const config = parseConfig(VALID_YAML, "/s/bluegreen.yml", { DRAIN_TIMEOUT: "" });
    expect(config.drain.timeoutMs).toBe(30_000);
  });

  it("accepts a zero drain timeout (do not wait for connections)", () => {
    const config = parseConfig(withLine(17, "drain: { timeout: 0s }"), "/s/bluegreen.yml", {});
    expect(config.drain.timeoutMs).toBe(0);
  });

  it("interpolates ${VAR:-default} in values", () => {
    const text = withLine(14, '  live: "http://127.0.0.1:${PROXY_PORT:-8080}"').replace('PROXY_PORT: "8080"', 'PORT: "${PROXY_PORT:-8080}"');
    const withPort = parseConfig(text, "/s/bluegreen.yml", { PROXY_PORT: "18080" });
    expect(withPort.proxy.liveUrl).toBe("http://127.0.0.1:18080");
    expect(withPort.env.PORT).toBe("18080");
    const defaults = parseConfig(text, "/s/bluegreen.yml", {});
    expect(defaults.proxy.liveUrl).toBe("http://127.0.0.1:8080");
    expect(defaults.env.PORT).toBe("8080");
  });

  it("never interpolates keys", () => {
    expect(() => parseConfig(withLine(8, '  "${KEY}": x'), "/s/bluegreen.yml", { KEY: "GOOD" })).toThrow(/env\.\$\{KEY\}: is not a valid environment variable name/);
  });

  it("turns numbers and booleans in env into the strings compose expects", () => {
    const config = parseConfig(withLine(8, "  PROXY_PORT: 8080\n  DEBUG: true"), "/s/bluegreen.yml", {});
    expect(config.env.PROXY_PORT).toBe("8080");
    expect(config.env.DEBUG).toBe("true");
  });

  it("reads the repository's bluegreen.yml for the demo stack", () => {
    const file = join(REPO, "bluegreen.yml");
    const config = parseConfig(readFileSync(file, "utf8"), file, {});
    expect(config.stack).toBe("bluegreen-demo");
    expect(config.services).toEqual(["app"]);
    expect(config.proxy.upstream).toBe("app-{color}:3000");
    expect(config.proxy.liveUrl).toBe("http://127.0.0.1:8080");
    expect(config.proxy.previewUrl).toBe("http://127.0.0.1:8081");
    expect(config.env).toMatchObject({ BG_STACK: "bluegreen-demo", BG_RUN_DIR: join(REPO, ".bluegreen/run"), DEMO_PROXY: "nginx", PROXY_PORT: "8080" });
    expect(config.smoke.expectVersionHeader).toBe("X-App-Version");
  });

  it("follows DEMO_PROXY, PROXY_PORT and PREVIEW_PORT in the demo bluegreen.yml", () => {
    const file = join(REPO, "bluegreen.yml");
    const config = parseConfig(readFileSync(file, "utf8"), file, { DEMO_PROXY: "haproxy", PROXY_PORT: "18080", PREVIEW_PORT: "18081" });
    expect(config.proxy.driver).toBe("haproxy");
    expect(config.env.DEMO_PROXY).toBe("haproxy");
    expect(config.proxy.liveUrl).toBe("http://127.0.0.1:18080");
    expect(config.proxy.previewUrl).toBe("http://127.0.0.1:18081");
    expect(config.env.PROXY_PORT).toBe("18080");
  });
});

describe("verify.duration 0", () => {
  it("is accepted and turns the post-switch verification off", () => {
    const file = join(REPO, "bluegreen.yml");
    const text = readFileSync(file, "utf8").replace("verify:\n  duration: 5s", "verify:\n  duration: 0s");
    expect(text).toContain("duration: 0s");
    expect(parseConfig(text, file, {}).verify.durationMs).toBe(0);
  });
});

describe("verify.urls", () => {
  const file = join(REPO, "bluegreen.yml");
  const withUrls = (urls: string) => readFileSync(file, "utf8").replace("verify:\n  duration: 5s", `verify:\n  urls: ${urls}\n  duration: 5s`);

  it("lists live URLs verified besides proxy.live", () => {
    expect(parseConfig(withUrls('["http://10.0.0.12:8080", "https://10.0.0.13:8443"]'), file, {}).verify.urls).toEqual(["http://10.0.0.12:8080", "https://10.0.0.13:8443"]);
  });

  it("refuses an entry that is not an http(s) URL, naming it", () => {
    expect(() => parseConfig(withUrls('["http://10.0.0.12:8080", "ftp://x"]'), file, {})).toThrow(/bluegreen\.yml:\d+:\d+ verify\.urls\[1\]: "ftp:\/\/x" uses ftp; only http and https are allowed/);
  });
});
