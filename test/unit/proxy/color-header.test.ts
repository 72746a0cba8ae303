import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COLOR_HEADER_HELP, servedColor } from "../../../src/net/color-header.js";
import { colorHeaderOps } from "../../../src/proxy/caddy-config.js";

const fixture = (path: string): string => readFileSync(new URL(`../../../fixtures/proxy/${path}`, import.meta.url), "utf8");

describe("the color that served a response", () => {
  it("is the proxy's X-Bluegreen-Color, and the app's X-App-Color only when the proxy's is absent", () => {
    expect(servedColor({ "x-bluegreen-color": "green", "x-app-color": "blue" })).toEqual({ color: "green", source: "proxy", raw: null });
    expect(servedColor({ "x-app-color": "blue" })).toEqual({ color: "blue", source: "app", raw: null });
    expect(servedColor({})).toEqual({ color: null, source: "none", raw: null });
    expect(servedColor({ "x-bluegreen-color": "app-blue" })).toEqual({ color: null, source: "proxy", raw: "app-blue" });
  });

  it("the help for an unknown color names the header it reads and how to add it", () => {
    expect(COLOR_HEADER_HELP).toContain("X-Bluegreen-Color");
    expect(COLOR_HEADER_HELP).toContain("add_header X-Bluegreen-Color $bg_color always;");
    expect(COLOR_HEADER_HELP).toContain("http-response set-header");
  });
});

describe("the demo proxies mark which color served each response", () => {
  it("Caddy: both routes' reverse_proxy handlers carry the header ops built from the upstream template", () => {
    const config = JSON.parse(fixture("caddy/caddy.json")) as { apps: { http: { servers: Record<string, { routes: Array<{ handle: Array<Record<string, unknown>> }> }> } } };
    for (const name of ["live", "preview"]) {
      const handler = config.apps.http.servers[name]?.routes[0]?.handle.find((h) => h.handler === "reverse_proxy");
      expect(handler?.headers).toEqual(colorHeaderOps("app-{color}:3000"));
    }
  });

  it("Caddy's header ops turn the dialled upstream host into the color, for any template", () => {
    for (const [template, host, color] of [
      ["app-{color}:3000", "app-green", "green"],
      ["shop.web-{color}:8000", "shop.web-blue", "blue"],
      ["{color}-api:80", "blue-api", "blue"],
    ] as const) {
      const [op] = colorHeaderOps(template).response.replace["X-Bluegreen-Color"] ?? [];
      expect(host.replace(new RegExp(op?.search_regexp ?? "^$"), "$1")).toBe(color);
    }
  });

  it("nginx: the live route (and its fallback to the other color) and the preview route add it", () => {
    const conf = fixture("nginx/nginx.conf");
    expect(conf.match(/add_header X-Bluegreen-Color \$bg_color always;/g)).toHaveLength(2);
    expect(conf).toContain("add_header X-Bluegreen-Color $bg_other_color always;");
    expect(conf).toContain("proxy_hide_header X-Bluegreen-Color;");
  });

  it("HAProxy: the live and preview backends set it to the name of the server that answered", () => {
    const cfg = fixture("haproxy/haproxy.cfg");
    for (const backend of ["live", "preview"]) {
      const block = cfg.split(/\nbackend /).find((b) => b.startsWith(`${backend}\n`)) ?? "";
      expect(block).toContain("http-response set-header X-Bluegreen-Color %[srv_name]");
    }
  });
});
