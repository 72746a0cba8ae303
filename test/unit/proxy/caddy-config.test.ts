import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CADDY_ROUTE_IDS, caddyErrorText, findReverseProxy, upstreamsBody } from "../../../src/proxy/caddy-config.js";

const route = (handle: unknown[]) => ({ "@id": "bg-live", handle });

describe("Caddy route shapes", () => {
  it("finds the reverse_proxy handler and its dials", () => {
    const found = findReverseProxy(
      route([{ handler: "headers" }, { handler: "reverse_proxy", upstreams: [{ dial: "app-green:3000" }] }]),
      "bg-live",
    );
    expect(found).toEqual({ index: 1, dials: ["app-green:3000"] });
  });

  it("throws on routes bluegreen cannot drive", () => {
    expect(() => findReverseProxy({ "@id": "bg-live" }, "bg-live")).toThrow(/no "handle" list/);
    expect(() => findReverseProxy(route([{ handler: "static_response" }]), "bg-live")).toThrow(/exactly one reverse_proxy handler, found 0/);
    expect(() => findReverseProxy(route([{ handler: "reverse_proxy" }, { handler: "reverse_proxy" }]), "bg-live")).toThrow(/found 2/);
  });

  it("builds the PATCH body for one upstream", () => {
    expect(upstreamsBody("app-blue:3000")).toEqual([{ dial: "app-blue:3000" }]);
    // The live route lists the other color second: Caddy's fallback when the target cannot be dialed.
    expect(upstreamsBody("app-green:3000", "app-blue:3000")).toEqual([{ dial: "app-green:3000" }, { dial: "app-blue:3000" }]);
    expect(upstreamsBody("app-blue:3000", "app-blue:3000")).toEqual([{ dial: "app-blue:3000" }]);
  });

  it("extracts Caddy's error text", () => {
    expect(caddyErrorText('{"error":"loading new config: bad dial"}')).toBe("loading new config: bad dial");
    expect(caddyErrorText("plain failure\n")).toBe("plain failure");
  });

  it("the demo proxy's caddy.json has the routes, admin socket and persistence the driver relies on", () => {
    const config = JSON.parse(readFileSync(new URL("../../../fixtures/proxy/caddy/caddy.json", import.meta.url), "utf8")) as {
      admin: { listen: string; config: { persist: boolean } };
      apps: { http: { servers: Record<string, { listen: string[]; automatic_https: { disable: boolean }; routes: unknown[] }> } };
    };
    expect(config.admin.listen).toBe("unix//run/bluegreen/caddy-admin.sock");
    expect(config.admin.config.persist).toBe(true);
    const servers = config.apps.http.servers;
    const expected = [
      ["live", ":8080", CADDY_ROUTE_IDS.live, ["app-blue:3000", "app-green:3000"]],
      ["preview", ":8081", CADDY_ROUTE_IDS.preview, ["app-green:3000"]],
    ] as const;
    for (const [name, listen, id, dial] of expected) {
      const server = servers[name]!;
      expect(server.listen).toEqual([listen]);
      expect(server.automatic_https.disable).toBe(true);
      const [only] = server.routes as Array<Record<string, unknown>>;
      expect(only?.["@id"]).toBe(id);
      expect(findReverseProxy(only, id).dials).toEqual(dial);
    }
    // The live route falls back to the other color: first available upstream, GET/HEAD retried.
    const live = (servers.live!.routes as Array<{ handle: Array<Record<string, unknown>> }>)[0]!.handle[0]!;
    expect(live.load_balancing).toMatchObject({ selection_policy: { policy: "first" }, retry_match: [{ method: ["GET", "HEAD"] }] });
  });
});
