import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pathsToRead, planInit } from "../../../src/adopt/plan.js";
import type { InitOptions } from "../../../src/adopt/types.js";
import { AdoptError } from "../../../src/adopt/types.js";
import { parseComposeProject } from "../../../src/platform/compose/index.js";
import type { ComposeProject } from "../../../src/platform/compose/index.js";

const SAMPLES = join(import.meta.dirname, "../../../fixtures/samples");

function sample(name: string): { project: ComposeProject; read: (p: string) => string | null } {
  const dir = join(SAMPLES, name);
  const read = (p: string) => {
    try {
      return readFileSync(join(dir, p), "utf8");
    } catch {
      return null;
    }
  };
  return { project: parseComposeProject([{ file: "compose.yml", text: read("compose.yml") ?? "" }]), read };
}

function options(over: Partial<InitOptions>): InitOptions {
  return { rotate: ["web"], proxy: "nginx", stack: "shop", previewPort: 8081, healthPath: "/", verifyPath: "/", proxyImage: null, ...over };
}

function plan(name: string, over: Partial<InitOptions>, existing: Record<string, string | null> = {}) {
  const { project, read } = sample(name);
  const opts = options(over);
  const inputs = Object.fromEntries(pathsToRead(project, opts).map((p) => [p, p in existing ? existing[p]! : read(p)]));
  return planInit({ project, options: opts, existing: { ...inputs, ...existing } });
}

function file(p: ReturnType<typeof plan>, path: string): Record<string, unknown> {
  const f = p.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in plan`);
  return parse(f.content) as Record<string, unknown>;
}

type Svc = Record<string, unknown>;
const svc = (doc: Record<string, unknown>, name: string) => (doc.services as Record<string, Svc>)[name]!;

describe("init's plan for the node + redis + nginx sample", () => {
  const p = plan("node-redis-nginx", { rotate: ["web"], proxy: "nginx", healthPath: "/stats", verifyPath: "/stats" });

  it("writes the shared file, both colors, the proxy config, the smoke spec and bluegreen.yml, all new", () => {
    expect(p.files.map((f) => [f.path, f.change])).toEqual([
      ["compose.bluegreen.yml", "create"],
      ["compose.blue.yml", "create"],
      ["compose.green.yml", "create"],
      ["bluegreen/nginx.conf", "create"],
      ["bluegreen/smoke.yml", "create"],
      ["bluegreen.yml", "create"],
    ]);
  });

  it("drops what collides between colors and labels each color with its version variable", () => {
    for (const color of ["blue", "green"]) {
      const web = svc(file(p, `compose.${color}.yml`), `web-${color}`);
      expect(web.ports).toBeUndefined();
      expect(web.depends_on).toBeUndefined();
      expect(web.container_name).toBeUndefined();
      expect(web.init).toBe(true);
      expect(web.labels).toEqual({ "bluegreen.color": color, "bluegreen.version": "${BLUEGREEN_VERSION:-dev}" });
      expect(web.image).toBe("shop/web:${BLUEGREEN_VERSION:-dev}");
      expect((web.build as Svc).args).toEqual({ BLUEGREEN_VERSION: "${BLUEGREEN_VERSION:-dev}" });
      expect(file(p, `compose.${color}.yml`).networks).toEqual({ default: { external: true, name: "shop_net" } });
    }
  });

  it("keeps the user's nginx on the port they publish, adds a 127.0.0.1 preview port, the run dir and the socket cleanup", () => {
    const shared = file(p, "compose.bluegreen.yml");
    const nginx = svc(shared, "nginx");
    expect(nginx.build).toBe("./nginx");
    expect(nginx.ports).toEqual(["${HTTP_PORT:-80}:80", "127.0.0.1:8081:8081"]);
    expect(nginx.volumes).toEqual(["./bluegreen/nginx.conf:/etc/nginx/nginx.conf:ro", "${BG_RUN_DIR:-./.bluegreen/run}:/run/bluegreen"]);
    expect((nginx.command as string[]).join(" ")).toContain("rm -f /run/bluegreen/nginx-admin.sock && exec nginx");
    expect(nginx.depends_on).toBeUndefined();
    expect(svc(shared, "redis")).toEqual({ extends: { file: "compose.yml", service: "redis" } });
    expect(Object.keys(shared.services as object)).not.toContain("web");
    expect(shared.networks).toEqual({ default: { name: "shop_net" } });
  });

  it("generates an nginx config whose includes may be missing, with the color header and the other upstream", () => {
    const conf = p.files.find((f) => f.path === "bluegreen/nginx.conf")!.content;
    expect(conf).toContain("include /run/bluegreen/nginx/live.con[f];");
    expect(conf).toContain("include /run/bluegreen/nginx/preview.con[f];");
    expect(conf).not.toMatch(/include \S*live\.conf;/);
    expect(conf).toContain("listen 80;");
    expect(conf).toContain("listen 8081;");
    expect(conf).toContain("set $bg_upstream web-blue:3000;");
    expect(conf).toContain("add_header X-Bluegreen-Color $bg_color always;");
    expect(conf).toContain("listen unix:/run/bluegreen/nginx-admin.sock;");
    expect(p.proxyDiff).toContain("-    server web:3000;");
  });

  it("writes bluegreen.yml with the agreed keys: versionVariable, health.path (no healthcheck), verify.path", () => {
    const config = file(p, "bluegreen.yml");
    expect(config).toMatchObject({
      stack: "shop",
      compose: { shared: "compose.bluegreen.yml", blue: "compose.blue.yml", green: "compose.green.yml" },
      services: ["web"],
      versionVariable: "BLUEGREEN_VERSION",
      proxy: { driver: "nginx", service: "nginx", upstream: "web-{color}:3000", live: "http://127.0.0.1:${HTTP_PORT:-80}", preview: "http://127.0.0.1:8081" },
      health: { path: "/stats" },
      verify: { path: "/stats", method: "GET" },
    });
  });

  it("is idempotent: planning again over its own output changes nothing", () => {
    const again = plan("node-redis-nginx", { rotate: ["web"], proxy: "nginx", healthPath: "/stats", verifyPath: "/stats" }, Object.fromEntries(p.files.map((f) => [f.path, f.content])));
    expect(again.files.map((f) => f.change)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged", "unchanged", "unchanged"]);
    expect(again.files.every((f) => f.diff === "")).toBe(true);
  });

  it("shows a diff when a generated file was edited by hand, and restores it", () => {
    const edited = p.files.find((f) => f.path === "compose.blue.yml")!.content.replace("init: true", "init: false");
    const again = plan("node-redis-nginx", { rotate: ["web"], proxy: "nginx", healthPath: "/stats", verifyPath: "/stats" }, { "compose.blue.yml": edited });
    const blue = again.files.find((f) => f.path === "compose.blue.yml")!;
    expect(blue.change).toBe("update");
    expect(blue.diff).toContain("-    init: false");
    expect(blue.diff).toContain("+    init: true");
  });
});

describe("init's plan for the api + caddy sample (healthcheck, bind-mounted Caddyfile)", () => {
  const p = plan("api-caddy", { rotate: ["api"], proxy: "caddy" });

  it("sets no health.path when the service has a Docker healthcheck, and keeps the pre-built image name", () => {
    const config = file(p, "bluegreen.yml");
    expect((config.health as Svc).path).toBeUndefined();
    const api = svc(file(p, "compose.blue.yml"), "api-blue");
    expect(api.image).toBe("notes/api:${BLUEGREEN_VERSION:-latest}");
    // The user's own healthcheck is carried into the color file unchanged.
    expect(api.healthcheck).toMatchObject({ test: ["CMD", "node", "-e", expect.stringContaining("127.0.0.1:8000/health")], interval: "2s", timeout: "5s", retries: 3 });
    expect(api.stop_grace_period).toBe("15s");
    expect((config.proxy as Svc).upstream).toBe("api-{color}:8000");
  });

  it("replaces the Caddyfile mount with the JSON config bluegreen drives, routes bg-live / bg-preview and the color header", () => {
    const caddy = svc(file(p, "compose.bluegreen.yml"), "caddy");
    expect(caddy.volumes).toEqual(["./bluegreen/caddy.json:/etc/caddy/bluegreen.json:ro", "${BG_RUN_DIR:-./.bluegreen/run}:/run/bluegreen"]);
    expect(caddy.command).toEqual(["caddy", "run", "--resume", "--config", "/etc/caddy/bluegreen.json"]);
    expect(caddy.ports).toEqual(["127.0.0.1:${HTTP_PORT:-8080}:80", "127.0.0.1:8081:8081"]);
    const json = JSON.parse(p.files.find((f) => f.path === "bluegreen/caddy.json")!.content) as { admin: { listen: string }; apps: { http: { servers: Record<string, { listen: string[]; routes: { "@id": string }[] }> } } };
    expect(json.admin.listen).toBe("unix//run/bluegreen/caddy-admin.sock");
    expect(json.apps.http.servers.live!.listen).toEqual([":80"]);
    expect(json.apps.http.servers.live!.routes[0]!["@id"]).toBe("bg-live");
    expect(json.apps.http.servers.preview!.routes[0]!["@id"]).toBe("bg-preview");
    expect(JSON.stringify(json)).toContain("X-Bluegreen-Color");
    const live = JSON.stringify(json.apps.http.servers.live);
    expect(live).toContain('"upstreams":[{"dial":"api-blue:8000"},{"dial":"api-green:8000"}]');
    expect(live).toContain('"selection_policy":{"policy":"first"}');
  });

  it("keeps the shared datastore's named volume declared", () => {
    const shared = file(p, "compose.bluegreen.yml");
    expect(shared.volumes).toEqual({ "db-data": null });
    expect(svc(shared, "db")).toEqual({ extends: { file: "compose.yml", service: "db" } });
  });
});

describe("init's plan for the web + worker + haproxy sample (two rotating services)", () => {
  const p = plan("web-worker-haproxy", { rotate: ["web", "worker"], proxy: "haproxy" });

  it("rotates both; the worker (no port, no depends_on) extends the user's service instead of copying it", () => {
    const blue = file(p, "compose.blue.yml");
    expect(Object.keys(blue.services as object)).toEqual(["web-blue", "worker-blue"]);
    expect(svc(blue, "worker-blue").extends).toEqual({ file: "compose.yml", service: "worker" });
    expect(svc(blue, "worker-blue").init).toBeUndefined();
    expect(svc(blue, "web-blue").extends).toBeUndefined();
    expect(svc(blue, "web-blue").image).toBe("shop/web:${BLUEGREEN_VERSION:-1.0}");
  });

  it("proxies web (named in the user's haproxy.cfg) with the runtime API, state file and color header", () => {
    const cfg = p.files.find((f) => f.path === "bluegreen/haproxy.cfg")!.content;
    expect(cfg).toContain("stats socket /run/bluegreen/haproxy-admin.sock mode 660 level admin");
    expect(cfg).toContain("server-state-file /run/bluegreen/haproxy/server-state");
    expect(cfg).toContain("server blue web-blue:5000");
    expect(cfg).toContain("http-response set-header X-Bluegreen-Color %[srv_name]");
    expect(cfg).toContain("bind :80");
    const haproxy = svc(file(p, "compose.bluegreen.yml"), "haproxy");
    expect(haproxy.user).toBe("0");
    expect(haproxy.volumes).toContain("./bluegreen/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
    expect(haproxy.volumes).not.toContain("./haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
  });
});

describe("init's plan refuses what it cannot adopt, naming the fix", () => {
  it("names the services when --rotate names one that does not exist", () => {
    expect(() => plan("node-redis-nginx", { rotate: ["app"] })).toThrow(AdoptError);
    expect(() => plan("node-redis-nginx", { rotate: ["app"] })).toThrow(/no service "app".*services: redis, web, nginx/);
  });

  it("puts bluegreen's own proxy in front, on the app's published port, when the project has no proxy", () => {
    const project = parseComposeProject([{ file: "compose.yml", text: "services:\n  app:\n    image: acme/app:2.1\n    ports: ['8000:3000']\n" }]);
    const p = planInit({ project, options: options({ rotate: ["app"], proxy: "haproxy", proxyImage: "bluegreen/base-haproxy:local" }), existing: {} });
    const proxy = svc(file(p, "compose.bluegreen.yml"), "proxy");
    expect(proxy.image).toBe("bluegreen/base-haproxy:local");
    expect(proxy.ports).toEqual(["8000:8080", "127.0.0.1:8081:8081"]);
    expect(p.files.find((f) => f.path === "bluegreen/haproxy.cfg")!.content).toContain("server blue app-blue:3000");
  });

  it("refuses a project whose rotating services have no port at all", () => {
    const project = parseComposeProject([{ file: "compose.yml", text: "services:\n  worker:\n    image: acme/w:1\n" }]);
    expect(() => planInit({ project, options: options({ rotate: ["worker"] }), existing: {} })).toThrow(/has a port \(ports: or expose:\)/);
  });
});
