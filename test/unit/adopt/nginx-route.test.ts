import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkStack } from "../../../src/adopt/check.js";
import type { StackFiles } from "../../../src/adopt/check.js";
import { chooseNginxRoute, moduleProbeArgv, nginxImageSource, readModuleProbe, readRouteScript, routeOfConfig } from "../../../src/adopt/nginx-route.js";
import type { NginxRoutePorts } from "../../../src/adopt/nginx-route.js";
import { pathsToRead, planInit } from "../../../src/adopt/plan.js";
import type { NginxRouteChoice } from "../../../src/adopt/proxy/index.js";
import type { InitOptions } from "../../../src/adopt/types.js";
import type { ImageRunResult } from "../../../src/docker/image-probe.js";
import { imageRunArgv } from "../../../src/docker/image-probe.js";
import type { ComposeRunner, ComposeTarget } from "../../../src/docker/types.js";
import { parseComposeProject } from "../../../src/platform/compose/index.js";

const ROOT = join(import.meta.dirname, "../../..");
const SAMPLE = join(ROOT, "fixtures/samples/node-redis-nginx");
const SCRIPT = readFileSync(join(ROOT, "fixtures/proxy/nginx/route/bluegreen-route.js"), "utf8");
const NJS: NginxRouteChoice = { mode: "njs", modulePath: "/usr/lib/nginx/modules/ngx_http_js_module.so", script: SCRIPT, why: "the image shop_nginx has /usr/lib/nginx/modules/ngx_http_js_module.so" };
const RELOAD: NginxRouteChoice = { mode: "reload", why: "the image shop_nginx has no ngx_http_js_module.so in /etc/nginx/modules, /usr/lib/nginx/modules, /usr/share/nginx/modules" };

const read = (p: string): string | null => {
  try {
    return readFileSync(join(SAMPLE, p), "utf8");
  } catch {
    return null;
  }
};
const compose = read("compose.yml") ?? "";
const project = parseComposeProject([{ file: "compose.yml", text: compose }]);
const options: InitOptions = { rotate: ["web"], proxy: "nginx", stack: "shop", previewPort: 8081, healthPath: "/stats", verifyPath: "/stats", proxyImage: null };

function plan(nginxRoute: NginxRouteChoice, existing: Record<string, string | null> = {}) {
  const inputs = Object.fromEntries(pathsToRead(project, options).map((p) => [p, p in existing ? existing[p]! : read(p)]));
  return planInit({ project, options, existing: { ...inputs, ...existing }, nginxRoute });
}
const content = (p: ReturnType<typeof plan>, path: string) => p.files.find((f) => f.path === path)?.content ?? null;
const proxyOf = (p: ReturnType<typeof plan>) => (parse(content(p, "compose.bluegreen.yml")!) as { services: Record<string, { volumes: string[] }> }).services.nginx!;

describe("init's nginx with the njs route (the image has ngx_http_js_module)", () => {
  const p = plan(NJS);
  const conf = content(p, "bluegreen/nginx.conf")!;

  it("loads the module found in the image, imports the route script and sets the four route variables", () => {
    expect(conf).toContain("load_module /usr/lib/nginx/modules/ngx_http_js_module.so;");
    expect(conf.indexOf("load_module")).toBeLessThan(conf.indexOf("events {"));
    expect(conf).toContain("js_import bg_route from /etc/nginx/bluegreen/bluegreen-route.js;");
    for (const [v, fn] of [["live_color", "liveColor"], ["live_upstream", "liveUpstream"], ["preview_color", "previewColor"], ["preview_upstream", "previewUpstream"]]) expect(conf).toContain(`js_set $bg_njs_${v} bg_route.${fn};`);
  });

  it("gives each route the adopted service's upstreams as defaults, read by njs, and no include to reload", () => {
    expect(conf).toContain("set $bg_live_default_color blue;\n        set $bg_live_default_upstream web-blue:3000;\n        set $bg_color $bg_njs_live_color;");
    expect(conf).toContain("set $bg_preview_default_upstream web-green:3000;");
    expect(conf).not.toContain(".con[f]");
    expect(conf).toContain('"mode":"$bg_route_mode"');
    expect(conf).toContain("set $bg_route_mode njs;");
    expect(conf).toContain("# Route mode: njs (the image shop_nginx has /usr/lib/nginx/modules/ngx_http_js_module.so).");
  });

  it("writes the demo's njs script unchanged and mounts it, with <runDir>/nginx on its own at /run/bluegreen-route", () => {
    expect(content(p, "bluegreen/bluegreen-route.js")).toBe(SCRIPT);
    expect(SCRIPT).toContain('const DIR = "/run/bluegreen-route/";');
    expect(proxyOf(p).volumes).toEqual([
      "./bluegreen/nginx.conf:/etc/nginx/nginx.conf:ro",
      "./bluegreen/bluegreen-route.js:/etc/nginx/bluegreen/bluegreen-route.js:ro",
      "${BG_RUN_DIR:-./.bluegreen/run}:/run/bluegreen",
      "${BG_RUN_DIR:-./.bluegreen/run}/nginx:/run/bluegreen-route:ro",
    ]);
  });

  it("says which mode it chose and why", () => {
    expect(p.notes.join("\n")).toMatch(/nginx route: njs, because the image shop_nginx has \/usr\/lib\/nginx\/modules\/ngx_http_js_module\.so: a switch is an atomic write/);
  });

  it("is idempotent over its own output, and the mode is read back from the config it wrote", () => {
    const again = plan(routeOfConfig(conf, SCRIPT)!, Object.fromEntries(p.files.map((f) => [f.path, f.content])));
    expect(again.files.map((f) => f.change).every((c) => c === "unchanged")).toBe(true);
    expect(routeOfConfig(conf, SCRIPT)).toEqual(NJS);
  });
});

describe("init's nginx with the reload route (no njs in the image)", () => {
  const p = plan(RELOAD);
  const conf = content(p, "bluegreen/nginx.conf")!;

  it("includes the route files by glob, loads no module, mounts no script and no route dir", () => {
    expect(conf).toContain("include /run/bluegreen/nginx/live.con[f];");
    expect(conf).not.toMatch(/load_module|js_import|js_set|\$bg_njs_/);
    expect(content(p, "bluegreen/bluegreen-route.js")).toBeNull();
    expect(proxyOf(p).volumes).toEqual(["./bluegreen/nginx.conf:/etc/nginx/nginx.conf:ro", "${BG_RUN_DIR:-./.bluegreen/run}:/run/bluegreen"]);
    expect(conf).toContain("set $bg_route_mode reload;");
    expect(conf).toContain('"mode":"$bg_route_mode"');
  });

  it("says reload and why, and how to get the njs route", () => {
    expect(p.notes.join("\n")).toMatch(/nginx route: reload, because the image shop_nginx has no ngx_http_js_module\.so .*add ngx_http_js_module to the image and re-run init/);
    expect(routeOfConfig(conf, SCRIPT)).toEqual(RELOAD);
  });
});

describe("which image init looks inside", () => {
  it("the image compose builds for the user's nginx service, under the stack's project name", () => {
    expect(nginxImageSource(project, options, "v1")).toEqual({ kind: "build", service: "nginx", image: "shop_nginx" });
    expect(nginxImageSource(project, options, "v2")).toEqual({ kind: "build", service: "nginx", image: "shop-nginx" });
  });

  it("a named image as written, but not one whose name needs a variable init does not resolve", () => {
    const named = parseComposeProject([{ file: "compose.yml", text: "services:\n  app:\n    image: a:1\n    ports: ['80:3000']\n  nginx:\n    image: nginx:1.25-alpine\n    ports: ['80:80']\n" }]);
    expect(nginxImageSource(named, { ...options, rotate: ["app"] }, "v1")).toEqual({ kind: "image", image: "nginx:1.25-alpine" });
    const variable = parseComposeProject([{ file: "compose.yml", text: "services:\n  app:\n    image: a:1\n  nginx:\n    image: ${REG}/nginx:1\n" }]);
    expect(nginxImageSource(variable, { ...options, rotate: ["app"] }, "v1")).toMatchObject({ kind: "unknown" });
  });

  it("bluegreen's own proxy image when the project runs no nginx", () => {
    const bare = parseComposeProject([{ file: "compose.yml", text: "services:\n  app:\n    image: a:1\n    ports: ['80:3000']\n" }]);
    expect(nginxImageSource(bare, { ...options, rotate: ["app"] }, "v1")).toEqual({ kind: "image", image: "nginx:1.27" });
    expect(nginxImageSource(bare, { ...options, rotate: ["app"], proxyImage: "bluegreen/base-nginx:local" }, "v1")).toEqual({ kind: "image", image: "bluegreen/base-nginx:local" });
  });
});

describe("reading the look inside the image", () => {
  it("runs ls on the candidate module paths in a throwaway container without network", () => {
    expect(imageRunArgv("bluegreen-probe-1", "shop_nginx", "ls", moduleProbeArgv())).toEqual([
      "run", "--rm", "--name", "bluegreen-probe-1", "--network", "none", "--entrypoint", "ls", "--", "shop_nginx",
      "-1d", "/etc/nginx/modules/ngx_http_js_module.so", "/usr/lib/nginx/modules/ngx_http_js_module.so", "/usr/share/nginx/modules/ngx_http_js_module.so",
    ]);
  });

  it("finds the module in the first directory that has it, whatever ls says about the others", () => {
    const r: ImageRunResult = { exitCode: 2, stdout: "/usr/lib/nginx/modules/ngx_http_js_module.so\n", stderr: "ls: cannot access '/etc/nginx/modules/ngx_http_js_module.so': No such file or directory\n", timedOut: false };
    expect(readModuleProbe(r)).toEqual({ found: "/usr/lib/nginx/modules/ngx_http_js_module.so" });
    expect(readModuleProbe({ ...r, stdout: "/usr/lib/nginx/modules/ngx_http_js_module.so\n/etc/nginx/modules/ngx_http_js_module.so\n" })).toEqual({ found: "/etc/nginx/modules/ngx_http_js_module.so" });
  });

  it("tells an absent module from a look that could not be made", () => {
    expect(readModuleProbe({ exitCode: 1, stdout: "", stderr: "ls: /etc/nginx/modules/ngx_http_js_module.so: No such file or directory\n", timedOut: false })).toEqual({ absent: true });
    expect(readModuleProbe({ exitCode: 125, stdout: "", stderr: "Unable to find image 'x:1' locally\nError response from daemon: pull access denied\n", timedOut: false })).toEqual({ error: "Error response from daemon: pull access denied" });
    expect(readModuleProbe({ exitCode: null, stdout: "", stderr: "", timedOut: true })).toEqual({ error: "the look inside timed out" });
  });
});

function ports(over: { build?: (t: ComposeTarget, services: string[]) => Promise<void>; run?: ImageRunResult }) {
  const calls: string[] = [];
  const compose = {
    variant: () => Promise.resolve("v1" as const),
    build: async (t: ComposeTarget, _l?: unknown, o?: { services?: string[] }) => {
      calls.push(`build -p ${t.project} ${t.files.join(",")} ${(o?.services ?? []).join(",")}`);
      await over.build?.(t, o?.services ?? []);
    },
  } as unknown as ComposeRunner;
  const p: NginxRoutePorts = {
    compose,
    probe: {
      run: (image, entrypoint) => {
        calls.push(`run ${entrypoint} ${image}`);
        return Promise.resolve(over.run ?? { exitCode: 0, stdout: "/usr/lib/nginx/modules/ngx_http_js_module.so\n", stderr: "", timedOut: false });
      },
    },
    script: () => Promise.resolve(SCRIPT),
  };
  return { ports: p, calls };
}

describe("choosing the route mode", () => {
  const args = { dir: SAMPLE, project, options };

  it("builds the proxy's image as the deploy will, looks inside, and chooses njs when the module is there", async () => {
    const { ports: p, calls } = ports({});
    expect(await chooseNginxRoute({ ...args, preference: "auto" }, p)).toEqual(NJS);
    expect(calls).toEqual(["build -p shop compose.yml nginx", "run ls shop_nginx"]);
  });

  it("chooses reload when the module is absent, the build fails or the look cannot be made", async () => {
    expect(await chooseNginxRoute({ ...args, preference: "auto" }, ports({ run: { exitCode: 2, stdout: "", stderr: "No such file or directory", timedOut: false } }).ports)).toEqual(RELOAD);
    const failed = await chooseNginxRoute({ ...args, preference: "auto" }, ports({ build: () => Promise.reject(new Error("docker-compose build failed (exit 1)\nstep 2")) }).ports);
    expect(failed).toEqual({ mode: "reload", why: 'the image of "nginx" could not be built to look inside it (docker-compose build failed (exit 1))' });
    const unseen = await chooseNginxRoute({ ...args, preference: "auto" }, ports({ run: { exitCode: null, stdout: "", stderr: "", timedOut: true } }).ports);
    expect(unseen).toMatchObject({ mode: "reload", why: expect.stringContaining("could not be looked inside (the look inside timed out)") });
  });

  it("neither builds nor runs anything when the operator asks for reload", async () => {
    const { ports: p, calls } = ports({});
    expect(await chooseNginxRoute({ ...args, preference: "reload" }, p)).toEqual({ mode: "reload", why: "--nginx-route reload" });
    expect(calls).toEqual([]);
  });

  it("reads the route script from the package (the demo's own file)", async () => {
    expect(await readRouteScript()).toBe(SCRIPT);
  });
});

/** The files of the sample after `init` with the njs route (what doctor reads). */
function adoptedNjs(): StackFiles {
  return { "compose.yml": compose, ...Object.fromEntries(plan(NJS).files.map((f) => [f.path, f.content])) };
}
function edit(files: StackFiles, path: string, from: string | RegExp, to: string): StackFiles {
  const text = files[path];
  if (text == null) throw new Error(`no ${path}`);
  const next = text.replace(from, to);
  if (next === text) throw new Error(`planting the mistake changed nothing in ${path}: ${String(from)}`);
  return { ...files, [path]: next };
}

describe("doctor on the njs route", () => {
  it("finds nothing wrong with what init wrote", () => {
    expect(checkStack(adoptedNjs())).toEqual([]);
  });

  it.each([
    { mistake: "the route dir not mounted", files: () => edit(adoptedNjs(), "compose.bluegreen.yml", /\n.*\/nginx:\/run\/bluegreen-route:ro\n/, "\n"), file: "compose.bluegreen.yml", problem: /does not mount <runDir>\/nginx at \/run\/bluegreen-route: nginx's workers \(user nobody\) cannot read the route files/, fix: /\/nginx:\/run\/bluegreen-route:ro/ },
    { mistake: "no js_import", files: () => edit(adoptedNjs(), "bluegreen/nginx.conf", /\n\s*js_import .*\n/, "\n"), file: "bluegreen/nginx.conf", problem: /no js_import of bluegreen's route script/, fix: /js_import bg_route from \/etc\/nginx\/bluegreen\/bluegreen-route\.js;/ },
    { mistake: "no load_module", files: () => edit(adoptedNjs(), "bluegreen/nginx.conf", /\nload_module .*\n/, "\n"), file: "bluegreen/nginx.conf", problem: /no load_module of ngx_http_js_module: nginx refuses to start/, fix: /load_module \/usr\/lib\/nginx\/modules\/ngx_http_js_module\.so;/ },
    { mistake: "the script not mounted", files: () => edit(adoptedNjs(), "compose.bluegreen.yml", /\n.*bluegreen-route\.js:ro\n/, "\n"), file: "compose.bluegreen.yml", problem: /does not mount the njs route script at \/etc\/nginx\/bluegreen\/bluegreen-route\.js/, fix: /\.\/bluegreen\/bluegreen-route\.js:\/etc\/nginx\/bluegreen\/bluegreen-route\.js:ro/ },
    { mistake: "the script file missing", files: () => ({ ...adoptedNjs(), "bluegreen/bluegreen-route.js": null }), file: "bluegreen/bluegreen-route.js", problem: /is missing: it is mounted at .* as the njs route script/, fix: /re-run `bluegreen init`/ },
    { mistake: "a js_set missing", files: () => edit(adoptedNjs(), "bluegreen/nginx.conf", "js_set $bg_njs_preview_upstream bg_route.previewUpstream;", ""), file: "bluegreen/nginx.conf", problem: /no js_set \$bg_njs_preview_upstream bg_route\.previewUpstream/, fix: /js_set \$bg_njs_preview_upstream/ },
    { mistake: "a route that does not read the njs variables", files: () => edit(adoptedNjs(), "bluegreen/nginx.conf", "set $bg_upstream $bg_njs_live_upstream;", "set $bg_upstream web-blue:3000;"), file: "bluegreen/nginx.conf", problem: /the live server or the admin answer does not take \$bg_color\/\$bg_upstream from the njs route/, fix: /set \$bg_upstream \$bg_njs_live_upstream;/ },
  ])("finds $mistake, with the fix", ({ files, file, problem, fix }) => {
    const findings = checkStack(files()).filter((f) => f.severity === "error");
    const hit = findings.find((f) => problem.test(f.problem));
    expect(hit, `findings: ${JSON.stringify(findings, null, 1)}`).toBeDefined();
    expect(hit!.file).toBe(file);
    expect(hit!.fix).toMatch(fix);
  });

  it("warns when the admin answer does not report the mode (the driver would reload on every switch)", () => {
    const findings = checkStack(edit(adoptedNjs(), "bluegreen/nginx.conf", ',"mode":"$bg_route_mode"', ""));
    expect(findings).toEqual([expect.objectContaining({ severity: "warning", file: "bluegreen/nginx.conf", problem: expect.stringMatching(/does not report "mode":"njs"/) })]);
  });

  it("still checks the reload route's includes when the config has no njs", () => {
    const files = { "compose.yml": compose, ...Object.fromEntries(plan(RELOAD).files.map((f) => [f.path, f.content])) };
    expect(checkStack(files)).toEqual([]);
    const plain = checkStack(edit(files, "bluegreen/nginx.conf", /include \/run\/bluegreen\/nginx\/live\.con\[f\];/g, "include /run/bluegreen/nginx/live.conf;"));
    expect(plain.map((f) => f.problem).join("\n")).toMatch(/plain include of live\.conf/);
  });
});
