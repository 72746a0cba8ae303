import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkStack } from "../../../src/adopt/check.js";
import type { StackFiles } from "../../../src/adopt/check.js";
import { pathsToRead, planInit } from "../../../src/adopt/plan.js";
import type { InitOptions } from "../../../src/adopt/types.js";
import { parseComposeProject } from "../../../src/platform/compose/index.js";

const SAMPLES = join(import.meta.dirname, "../../../fixtures/samples");

/** The files of a sample after `init` (what doctor reads), computed with the planner. */
function adopted(sample: string, over: Partial<InitOptions>): StackFiles {
  const dir = join(SAMPLES, sample);
  const read = (p: string) => {
    try {
      return readFileSync(join(dir, p), "utf8");
    } catch {
      return null;
    }
  };
  const compose = read("compose.yml") ?? "";
  const project = parseComposeProject([{ file: "compose.yml", text: compose }]);
  const options: InitOptions = { rotate: ["web"], proxy: "nginx", stack: "s", previewPort: 8081, healthPath: "/", verifyPath: "/", proxyImage: null, ...over };
  const existing = Object.fromEntries(pathsToRead(project, options).map((p) => [p, read(p)]));
  const plan = planInit({ project, options, existing });
  return { "compose.yml": compose, ...Object.fromEntries(plan.files.map((f) => [f.path, f.content])) };
}

const nginx = () => adopted("node-redis-nginx", { rotate: ["web"], proxy: "nginx", healthPath: "/stats" });
const caddy = () => adopted("api-caddy", { rotate: ["api"], proxy: "caddy" });
const haproxy = () => adopted("web-worker-haproxy", { rotate: ["web", "worker"], proxy: "haproxy" });

function edit(files: StackFiles, path: string, from: string | RegExp, to: string): StackFiles {
  const text = files[path];
  if (text == null) throw new Error(`no ${path}`);
  const next = text.replace(from, to);
  if (next === text) throw new Error(`planting the mistake changed nothing in ${path}: ${String(from)}`);
  return { ...files, [path]: next };
}

describe("doctor on what init wrote", () => {
  it.each([
    ["node-redis-nginx", nginx],
    ["api-caddy", caddy],
    ["web-worker-haproxy", haproxy],
  ])("finds no error in the adopted %s sample", (_name, files) => {
    expect(checkStack(files()).filter((f) => f.severity === "error")).toEqual([]);
  });
});

describe("doctor finds each planted mistake and names its fix", () => {
  const cases: { mistake: string; files: () => StackFiles; file: string; problem: RegExp; fix: RegExp }[] = [
    {
      mistake: "a plain nginx include of live.conf",
      files: () => edit(nginx(), "bluegreen/nginx.conf", /include \/run\/bluegreen\/nginx\/live\.con\[f\];/g, "include /run/bluegreen/nginx/live.conf;"),
      file: "bluegreen/nginx.conf",
      problem: /plain include of live\.conf: nginx refuses to start/,
      fix: /live\.con\[f\]/,
    },
    {
      mistake: "no stale admin socket removal at nginx start",
      files: () => edit(nginx(), "compose.bluegreen.yml", "rm -f /run/bluegreen/nginx-admin.sock && ", ""),
      file: "compose.bluegreen.yml",
      problem: /does not remove a stale admin socket/,
      fix: /rm -f \/run\/bluegreen\/nginx-admin\.sock/,
    },
    {
      mistake: "no nginx admin server",
      files: () => edit(nginx(), "bluegreen/nginx.conf", "listen unix:/run/bluegreen/nginx-admin.sock;", "listen 9999;"),
      file: "bluegreen/nginx.conf",
      problem: /no admin server/,
      fix: /admin server block/,
    },
    {
      mistake: "a published host port on a color",
      files: () => edit(nginx(), "compose.blue.yml", "    init: true\n", '    init: true\n    ports: ["3000:3000"]\n'),
      file: "compose.blue.yml",
      problem: /web-blue publishes host port 3000/,
      fix: /remove ports: from web-blue/,
    },
    {
      mistake: "container_name on a color",
      files: () => edit(nginx(), "compose.green.yml", "    init: true\n", "    init: true\n    container_name: web\n"),
      file: "compose.green.yml",
      problem: /container_name/,
      fix: /remove container_name from web-green/,
    },
    {
      mistake: "no Docker healthcheck and no health.path",
      files: () => edit(nginx(), "bluegreen.yml", /\n {2}path: \/stats\n/, "\n"),
      file: "compose.blue.yml",
      problem: /web-blue has no Docker healthcheck and bluegreen\.yml sets no health\.path/,
      fix: /add a healthcheck: to web .* or set health\.path/,
    },
    {
      mistake: "a worker with no healthcheck (not behind the proxy)",
      files: () => edit(haproxy(), "compose.yml", / {4}healthcheck:\n( {6}.*\n)+/, ""),
      file: "compose.blue.yml",
      problem: /worker-blue has no Docker healthcheck and is not behind the proxy/,
      fix: /add a healthcheck: to worker/,
    },
    {
      mistake: "no bluegreen.color label",
      files: () => edit(nginx(), "compose.blue.yml", "bluegreen.color: blue", "team: shop"),
      file: "compose.blue.yml",
      problem: /no label bluegreen\.color: blue/,
      fix: /labels:/,
    },
    {
      mistake: "the preview port published on every interface",
      files: () => edit(nginx(), "compose.bluegreen.yml", "127.0.0.1:8081:8081", "8081:8081"),
      file: "compose.bluegreen.yml",
      problem: /preview port 8081 is published on every interface/,
      fix: /127\.0\.0\.1:8081:8081/,
    },
    {
      mistake: "the run dir not mounted into the proxy",
      files: () => edit(nginx(), "compose.bluegreen.yml", /\n.*:\/run\/bluegreen\n/, "\n"),
      file: "compose.bluegreen.yml",
      problem: /does not mount the run dir/,
      fix: /BG_RUN_DIR/,
    },
    {
      mistake: "the rotating service left in the shared file",
      files: () => edit(nginx(), "compose.bluegreen.yml", "services:\n", "services:\n  web:\n    build: ./web\n"),
      file: "compose.bluegreen.yml",
      problem: /also runs the rotating service "web"/,
      fix: /remove web from compose\.bluegreen\.yml/,
    },
    {
      mistake: "no X-Bluegreen-Color header (nginx)",
      files: () => edit(nginx(), "bluegreen/nginx.conf", /add_header X-Bluegreen-Color/g, "add_header X-Served-By"),
      file: "bluegreen/nginx.conf",
      problem: /does not add the X-Bluegreen-Color response header/,
      fix: /re-run `bluegreen init`/,
    },
    {
      mistake: "a Caddy route without its @id",
      files: () => edit(caddy(), "bluegreen/caddy.json", '"@id": "bg-live"', '"@id": "main"'),
      file: "bluegreen/caddy.json",
      problem: /no route with "@id": "bg-live"/,
      fix: /"@id": "bg-live"/,
    },
    {
      mistake: "Caddy's admin API not on the unix socket",
      files: () => edit(caddy(), "bluegreen/caddy.json", "unix//run/bluegreen/caddy-admin.sock", "localhost:2019"),
      file: "bluegreen/caddy.json",
      problem: /admin API does not listen on unix/,
      fix: /admin\.listen/,
    },
    {
      mistake: "HAProxy without a runtime API socket",
      files: () => edit(haproxy(), "bluegreen/haproxy.cfg", /\n {4}stats socket .*\n/, "\n"),
      file: "bluegreen/haproxy.cfg",
      problem: /no runtime API socket/,
      fix: /stats socket \/run\/bluegreen\/haproxy-admin\.sock/,
    },
    {
      mistake: "HAProxy without the server-state file",
      files: () => edit(haproxy(), "bluegreen/haproxy.cfg", /\n {4}load-server-state-from-file global\n/, "\n"),
      file: "bluegreen/haproxy.cfg",
      problem: /no server-state file loaded at start/,
      fix: /load-server-state-from-file/,
    },
    {
      mistake: "bluegreen.yml missing",
      files: () => ({ ...nginx(), "bluegreen.yml": null }),
      file: "bluegreen.yml",
      problem: /is missing/,
      fix: /bluegreen init/,
    },
  ];

  it.each(cases)("finds $mistake", ({ files, file, problem, fix }) => {
    const findings = checkStack(files()).filter((f) => f.severity === "error");
    const hit = findings.find((f) => problem.test(f.problem));
    expect(hit, `findings: ${JSON.stringify(findings, null, 1)}`).toBeDefined();
    expect(hit!.file).toBe(file);
    expect(hit!.fix).toMatch(fix);
  });
});

describe("doctor on nginx's connections to the app", () => {
  it("warns when the adopted nginx does not reuse TIME_WAIT ports, and names the sysctl", () => {
    const warning = (files: StackFiles) => checkStack(files).find((f) => f.severity === "warning" && /TIME_WAIT/.test(f.problem));
    expect(warning(nginx())).toBeUndefined();
    const hit = warning(edit(nginx(), "compose.bluegreen.yml", /\n {4}sysctls:\n {6}net\.ipv4\.tcp_tw_reuse: 1\n/, "\n"));
    expect(hit?.file).toBe("compose.bluegreen.yml");
    expect(hit?.fix).toMatch(/net\.ipv4\.tcp_tw_reuse: 1/);
  });
});
