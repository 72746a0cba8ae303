import { describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/types.js";
import { CaddyDriver, createProxyDriver, HaproxyDriver, NginxDriver } from "../../../src/proxy/index.js";

const configFor = (driver: Config["proxy"]["driver"]): Config => ({
  file: "/x/bluegreen.yml",
  root: "/x",
  stack: "demo",
  compose: { shared: "/x/compose.yml", blue: "/x/compose.blue.yml", green: "/x/compose.green.yml" },
  services: ["app"],
  env: {},
  proxy: { driver, service: "proxy", runDir: "/x/run", upstream: "app-{color}:3000", liveUrl: "http://127.0.0.1:8080", previewUrl: "http://127.0.0.1:8081" },
  health: { timeoutMs: 1, intervalMs: 1, path: null },
  drain: { timeoutMs: 1 },
  smoke: { spec: null, expectVersionHeader: null },
  verify: { durationMs: 1, intervalMs: 1, path: "/", method: "GET", urls: [] },
  stop: { timeoutMs: null },
  versionVariable: "BLUEGREEN_VERSION",
  keepOldWarm: false,
  stateDir: "/x/state",
  docker: { host: null },
});

describe("createProxyDriver", () => {
  const exec = { exec: async () => ({ exitCode: 0, stdout: "", stderr: "" }) };
  const find = async () => "proxy";

  it("picks the driver the config names, pointed at the run dir's sockets", () => {
    const nginx = createProxyDriver(configFor("nginx"), exec, find);
    expect(nginx).toBeInstanceOf(NginxDriver);
    expect((nginx as NginxDriver).adminSocket).toBe("/x/run/nginx-admin.sock");
    const caddy = createProxyDriver(configFor("caddy"), exec, find);
    expect(caddy).toBeInstanceOf(CaddyDriver);
    expect((caddy as CaddyDriver).adminSocket).toBe("/x/run/caddy-admin.sock");
    const haproxy = createProxyDriver(configFor("haproxy"), exec, find);
    expect(haproxy).toBeInstanceOf(HaproxyDriver);
    expect((haproxy as HaproxyDriver).stateFile).toBe("/x/run/haproxy/server-state");
    expect([nginx.name, caddy.name, haproxy.name]).toEqual(["nginx", "caddy", "haproxy"]);
  });
});
