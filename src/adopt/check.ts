/**
 * `bluegreen doctor` / `init --check`: validates an adopted stack and names each problem with its
 * fix. checkStack is pure (file contents in, findings out); runChecks reads the files and adds what
 * compose itself says about them.
 */
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { Mapping } from "../platform/compose/index.js";
import { isMapping, parsePort, validateWithCompose } from "../platform/compose/index.js";
import { buildPlan, defaultStackName, loadProject, NGINX_CONFIG_PATH, previousChoices, readIfExists } from "./init.js";
import { readRouteScript, routeOfConfig } from "./nginx-route.js";
import { NGINX_ROUTE_DIR, NGINX_ROUTE_SCRIPT, NGINX_ROUTE_VOLUME } from "./proxy/nginx.js";
import { GENERATED, VERSION_VARIABLE } from "./types.js";

export interface Finding {
  severity: "error" | "warning";
  file: string;
  problem: string;
  fix: string;
}

/** The files of an adopted stack by path (relative to its directory); null = absent. */
export type StackFiles = Record<string, string | null>;

function yaml(text: string | null): Mapping | null {
  if (text === null) return null;
  try {
    const doc: unknown = parseYaml(text);
    return isMapping(doc) ? doc : null;
  } catch {
    return null;
  }
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export interface StackLayout {
  config: Mapping;
  shared: string;
  blue: string;
  green: string;
  rotate: string[];
  driver: string;
  proxyService: string;
}

/** Which files checkStack needs, read from bluegreen.yml (null when it cannot be read). */
export function layoutOf(configText: string | null): StackLayout | null {
  const config = yaml(configText);
  if (!config) return null;
  const compose = isMapping(config.compose) ? config.compose : {};
  const proxy = isMapping(config.proxy) ? config.proxy : {};
  return {
    config,
    shared: str(compose.shared) ?? "compose.yml",
    blue: str(compose.blue) ?? "compose.blue.yml",
    green: str(compose.green) ?? "compose.green.yml",
    rotate: Array.isArray(config.services) ? config.services.map(String) : [],
    driver: str(proxy.driver) ?? "nginx",
    proxyService: str(proxy.service) ?? "proxy",
  };
}

/** Host paths of files bind-mounted into the proxy service (its config). */
export function proxyMounts(shared: Mapping | null, proxyService: string): { host: string; target: string }[] {
  const services = shared && isMapping(shared.services) ? shared.services : {};
  const proxy = isMapping(services[proxyService]) ? services[proxyService] : {};
  const volumes = Array.isArray(proxy.volumes) ? proxy.volumes : [];
  return volumes.flatMap((v: unknown) => {
    const [host, target] = typeof v === "string" ? v.split(":") : isMapping(v) ? [str(v.source), str(v.target)] : [];
    return host && target && /^[./]/.test(host) && !host.includes("$") ? [{ host: host.replace(/^\.\//, ""), target }] : [];
  });
}

/** Where a driver's own config is mounted (nginx.conf, Caddy's JSON, haproxy.cfg). */
const CONFIG_TARGET = /(nginx\.conf|\.json|haproxy\.cfg)$/;

export function checkStack(files: StackFiles): Finding[] {
  const findings: Finding[] = [];
  const add = (severity: Finding["severity"], file: string, problem: string, fix: string) => findings.push({ severity, file, problem, fix });
  const layout = layoutOf(files[GENERATED.config] ?? null);
  if (!layout) {
    add("error", GENERATED.config, files[GENERATED.config] == null ? "is missing: this directory is not adopted yet" : "cannot be read as a YAML mapping", "run `bluegreen init` here");
    return findings;
  }
  const { config, rotate } = layout;
  const health = isMapping(config.health) ? config.health : {};
  const healthPath = str(health.path);
  const proxyCfg = isMapping(config.proxy) ? config.proxy : {};
  const previewUrl = str(proxyCfg.preview);

  // The colors: nothing that collides between two colors, labels, the version, health.
  for (const color of ["blue", "green"] as const) {
    const path = layout[color];
    const doc = yaml(files[path] ?? null);
    if (!doc || !isMapping(doc.services)) {
      add("error", path, "is missing or has no services", "run `bluegreen init` to write the color files");
      continue;
    }
    for (const base of rotate) {
      const name = `${base}-${color}`;
      const svc = doc.services[name];
      if (!isMapping(svc)) {
        add("error", path, `has no service "${name}" (bluegreen.yml services lists "${base}")`, `add "${name}" or re-run \`bluegreen init --rotate ${rotate.join(",")}\``);
        continue;
      }
      const published = (Array.isArray(svc.ports) ? svc.ports : []).flatMap((p) => parsePort(p)).filter((p) => p.published !== null);
      if (published.length > 0) add("error", path, `${name} publishes host port ${published.map((p) => p.published).join(", ")}: the second color cannot start while the first holds it`, `remove ports: from ${name}; the proxy carries the traffic (use expose: for the container port)`);
      if (svc.container_name !== undefined) add("error", path, `${name} sets container_name: both colors' containers would need the same name`, `remove container_name from ${name}`);
      if (svc.hostname !== undefined) add("warning", path, `${name} sets hostname "${String(svc.hostname)}": both colors answer to the same name`, `remove hostname from ${name}`);
      const labels = isMapping(svc.labels) ? svc.labels : {};
      if (labels["bluegreen.color"] !== color) add("error", path, `${name} has no label bluegreen.color: ${color}`, `add labels: { bluegreen.color: ${color} } (bluegreen finds a color's containers by it)`);
      const text = files[path] ?? "";
      if (!text.includes(`\${${VERSION_VARIABLE}`)) add("warning", path, `does not use \${${VERSION_VARIABLE}}: deploy --version V cannot reach the image tag or the bluegreen.version label`, `use image: repo:\${${VERSION_VARIABLE}} and label bluegreen.version: \${${VERSION_VARIABLE}}, or re-run \`bluegreen init\``);
      const extended = isMapping(svc.extends) ? svc.extends : null;
      const source = extended ? yaml(files[str(extended.file) ?? ""] ?? null) : null;
      const sourceSvc = extended && source && isMapping(source.services) ? source.services[str(extended.service) ?? ""] : undefined;
      const inherited = isMapping(sourceSvc) ? sourceSvc : {};
      if (svc.init === undefined && inherited.init === undefined) add("warning", path, `${name} has no init: true: an app running as PID 1 that ignores SIGTERM is killed only after the stop timeout`, `add init: true to ${name} (or make the app handle SIGTERM)`);
      const hasHealthcheck = isMapping(svc.healthcheck) || isMapping(inherited.healthcheck);
      const proxied = str(proxyCfg.upstream)?.startsWith(`${base}-{color}`) ?? false;
      if (!hasHealthcheck && !(proxied && healthPath)) {
        add("error", path, `${name} has no Docker healthcheck${proxied ? " and bluegreen.yml sets no health.path" : " and is not behind the proxy"}: bluegreen would have nothing to gate the switch on`, proxied ? `add a healthcheck: to ${base} in your compose file, or set health.path (e.g. /healthz) in bluegreen.yml` : `add a healthcheck: to ${base} in your compose file and re-run \`bluegreen init\``);
      }
    }
  }

  // The proxy service and its configuration.
  const sharedDoc = yaml(files[layout.shared] ?? null);
  const services = sharedDoc && isMapping(sharedDoc.services) ? sharedDoc.services : null;
  const proxySvc = services && isMapping(services[layout.proxyService]) ? services[layout.proxyService] as Mapping : null;
  if (!proxySvc) {
    add("error", layout.shared, `has no proxy service "${layout.proxyService}" (bluegreen.yml proxy.service)`, "re-run `bluegreen init`, or set proxy.service to your proxy's service name");
    return findings;
  }
  for (const base of rotate) if (services && services[base] !== undefined) add("error", layout.shared, `also runs the rotating service "${base}": a third, uncolored copy would start with the shared services`, `remove ${base} from ${layout.shared} (it lives in the color files)`);
  const volumes = (Array.isArray(proxySvc.volumes) ? proxySvc.volumes : []).map((v) => (typeof v === "string" ? v : isMapping(v) ? `${str(v.source) ?? ""}:${str(v.target) ?? ""}` : ""));
  if (!volumes.some((v) => /:\/run\/bluegreen(:|$)/.test(v))) add("error", layout.shared, `${layout.proxyService} does not mount the run dir at /run/bluegreen: bluegreen cannot reach the admin socket or write the routes`, 'add "${BG_RUN_DIR:-./.bluegreen/run}:/run/bluegreen" to its volumes');
  const ports = (Array.isArray(proxySvc.ports) ? proxySvc.ports : []).flatMap((p) => parsePort(p));
  const previewHost = previewUrl ? /:(\d+)\/?$/.exec(previewUrl)?.[1] : undefined;
  const previewPort = ports.find((p) => p.published === previewHost);
  if (previewHost && !previewPort) add("error", layout.shared, `${layout.proxyService} does not publish the preview port ${previewHost} (bluegreen.yml proxy.preview)`, `add "127.0.0.1:${previewHost}:<preview listen port>" to its ports`);
  else if (previewPort && previewPort.hostIp !== "127.0.0.1") add("error", layout.shared, `the preview port ${previewHost} is published on every interface: anyone could reach the standby color`, `publish it as "127.0.0.1:${previewHost}:${previewPort.target}"`);
  const command = Array.isArray(proxySvc.command) ? proxySvc.command.map(String).join(" ") : str(proxySvc.command) ?? "";
  const mounts = proxyMounts(sharedDoc, layout.proxyService);
  // The driver's config first (other mounted files: nginx's njs script, your certificates …).
  const configMounts = [...mounts].sort((a, b) => Number(!CONFIG_TARGET.test(a.target)) - Number(!CONFIG_TARGET.test(b.target)));
  const configText = configMounts.map((m) => files[m.host] ?? null).find((t) => t !== null) ?? null;
  const configFile = configMounts.find((m) => (files[m.host] ?? null) !== null)?.host ?? `${GENERATED.proxyDir}/?`;
  if (configText === null) {
    add("error", layout.shared, `no ${layout.driver} config is mounted into ${layout.proxyService} from this directory, so doctor cannot check it`, "re-run `bluegreen init` (it writes bluegreen/<config> and mounts it)");
    return findings;
  }
  if (!configText.includes("X-Bluegreen-Color")) add("error", configFile, "the proxy does not add the X-Bluegreen-Color response header: verify and smoke cannot tell which color answered", "add it (init's generated config does: re-run `bluegreen init`)");
  if (layout.driver === "nginx") {
    if (isNjsRoute(configText)) checkNjsRoute({ configText, configFile, shared: layout.shared, proxyService: layout.proxyService, volumes, mounts, files, add });
    else
      for (const route of ["live", "preview"]) {
        if (new RegExp(`include\\s+\\S*/${route}\\.conf\\s*;`).test(configText)) add("error", configFile, `a plain include of ${route}.conf: nginx refuses to start while the file does not exist yet (before the first switch, or after the run dir is cleaned)`, `write include /run/bluegreen/nginx/${route}.con[f]; (a glob may match nothing)`);
        else if (!configText.includes(`${route}.con[f]`)) add("error", configFile, `no include of /run/bluegreen/nginx/${route}.con[f]: bluegreen's switch would change nothing`, `add set $bg_color/$bg_upstream defaults and include /run/bluegreen/nginx/${route}.con[f]; to the ${route} server`);
      }
    if (!configText.includes("unix:/run/bluegreen/nginx-admin.sock")) add("error", configFile, "no admin server on unix:/run/bluegreen/nginx-admin.sock: bluegreen cannot read what nginx routes to", "add the admin server block (see docs/adopting.md) or re-run `bluegreen init`");
    const sysctls = isMapping(proxySvc.sysctls) ? proxySvc.sysctls : {};
    if (String(sysctls["net.ipv4.tcp_tw_reuse"] ?? "") !== "1" && !(Array.isArray(proxySvc.sysctls) && proxySvc.sysctls.map(String).includes("net.ipv4.tcp_tw_reuse=1")))
      add("warning", layout.shared, `${layout.proxyService} does not reuse TIME_WAIT ports: nginx opens a connection to the app per request, and under sustained load the kernel's free-port search slows every request (measured 3,000 → 300 req/s after a minute)`, "add sysctls: {net.ipv4.tcp_tw_reuse: 1} to the service (init writes it)");
    if (!command.includes("rm -f /run/bluegreen/nginx-admin.sock")) add("error", layout.shared, `${layout.proxyService} does not remove a stale admin socket at start: after a kill or crash nginx cannot bind it again and will not start`, `command: ["/bin/sh", "-c", "rm -f /run/bluegreen/nginx-admin.sock && exec nginx -g 'daemon off;'"]`);
  } else if (layout.driver === "caddy") {
    let json: unknown = null;
    try {
      json = JSON.parse(configText);
    } catch {
      add("error", configFile, "is not JSON: bluegreen drives Caddy through a JSON config with route ids", "re-run `bluegreen init` (it writes bluegreen/caddy.json)");
    }
    if (json !== null) {
      if (!configText.includes("unix//run/bluegreen/caddy-admin.sock")) add("error", configFile, "the admin API does not listen on unix//run/bluegreen/caddy-admin.sock", 'set admin.listen to "unix//run/bluegreen/caddy-admin.sock"');
      for (const id of ["bg-live", "bg-preview"]) if (!configText.includes(`"${id}"`)) add("error", configFile, `no route with "@id": "${id}"`, `give the ${id.slice(3)} route's object "@id": "${id}" (the driver changes its upstreams by id)`);
      if (!command.includes("--resume")) add("warning", layout.shared, `${layout.proxyService} does not run caddy with --resume: a restarted proxy forgets the live color`, "run caddy run --resume --config <file>");
    }
  } else if (layout.driver === "haproxy") {
    if (!/stats socket \/run\/bluegreen\/haproxy-admin\.sock[^\n]*level admin/.test(configText)) add("error", configFile, "no runtime API socket at /run/bluegreen/haproxy-admin.sock with level admin", "add to global: stats socket /run/bluegreen/haproxy-admin.sock mode 660 level admin");
    if (!configText.includes("server-state-file /run/bluegreen/haproxy/server-state") || !configText.includes("load-server-state-from-file")) add("error", configFile, "no server-state file loaded at start: a restarted proxy goes back to its defaults instead of the live color", "add server-state-file /run/bluegreen/haproxy/server-state (global) and load-server-state-from-file global (defaults)");
    for (const backend of ["live", "preview", "colors"]) if (!new RegExp(`^backend ${backend}\\b`, "m").test(configText)) add("error", configFile, `no backend "${backend}" with servers blue and green`, "re-run `bluegreen init` (the driver switches servers in these backends)");
  }
  return findings;
}

/** An nginx config that routes with njs (any of its pieces present: doctor then checks for all of them). */
function isNjsRoute(configText: string): boolean {
  return /^\s*(js_import|js_set|load_module\s+\S*ngx_http_js_module)\b/m.test(configText) || configText.includes("$bg_njs_");
}

const NJS_FUNCTIONS = [
  ["live", "color", "liveColor"],
  ["live", "upstream", "liveUpstream"],
  ["preview", "color", "previewColor"],
  ["preview", "upstream", "previewUpstream"],
] as const;

/** The njs route: module, script (imported and mounted), the js_set variables each route reads, the route mount. */
function checkNjsRoute(c: {
  configText: string;
  configFile: string;
  shared: string;
  proxyService: string;
  volumes: string[];
  mounts: { host: string; target: string }[];
  files: StackFiles;
  add: (severity: Finding["severity"], file: string, problem: string, fix: string) => void;
}): void {
  const { configText, configFile, add } = c;
  if (!/^\s*load_module\s+\S*ngx_http_js_module\.so\s*;/m.test(configText)) add("error", configFile, "uses njs (js_import/js_set) but has no load_module of ngx_http_js_module: nginx refuses to start (unknown directive)", `put load_module /usr/lib/nginx/modules/ngx_http_js_module.so; (the module's path in your image) at the top, or re-run \`bluegreen init\` (it looks inside the image and falls back to the reload route without njs)`);
  const imported = /^\s*js_import\s+bg_route\s+from\s+(\S+?)\s*;/m.exec(configText)?.[1];
  if (!imported) add("error", configFile, "no js_import of bluegreen's route script as bg_route: the js_set functions are unknown and nginx refuses to start", `add js_import bg_route from ${NGINX_ROUTE_SCRIPT}; to the http block`);
  else {
    const mount = c.mounts.find((m) => m.target === imported);
    if (!mount) add("error", c.shared, `${c.proxyService} does not mount the njs route script at ${imported}: nginx refuses to start (js_import cannot open it)`, `add "./${GENERATED.proxyDir}/bluegreen-route.js:${imported}:ro" to its volumes (init writes the script)`);
    else if ((c.files[mount.host] ?? null) === null) add("error", mount.host, `is missing: it is mounted at ${imported} as the njs route script, and nginx cannot start without it`, "re-run `bluegreen init` (it writes the script)");
  }
  for (const [route, field, fn] of NJS_FUNCTIONS) {
    if (!new RegExp(`js_set\\s+\\$bg_njs_${route}_${field}\\s+bg_route\\.${fn}\\s*;`).test(configText)) add("error", configFile, `no js_set $bg_njs_${route}_${field} bg_route.${fn}: the ${route} route cannot read its ${field} per request`, `add js_set $bg_njs_${route}_${field} bg_route.${fn}; to the http block`);
  }
  // Each route is read twice: by its server and by the admin answer the driver reads back.
  const count = (text: string) => configText.split(text).length - 1;
  for (const route of ["live", "preview"] as const) {
    if (count(`set $bg_color $bg_njs_${route}_color;`) < 2 || count(`set $bg_upstream $bg_njs_${route}_upstream;`) < 2) add("error", configFile, `the ${route} server or the admin answer does not take $bg_color/$bg_upstream from the njs route: a switch would not change what it serves, or the driver could not read it back`, `in the ${route} server and in location /bluegreen/targets: set $bg_${route}_default_color/_upstream, then set $bg_color $bg_njs_${route}_color; set $bg_upstream $bg_njs_${route}_upstream;`);
  }
  if (!c.volumes.some((v) => new RegExp(`/nginx:${NGINX_ROUTE_DIR}(:ro)?$`).test(v))) add("error", c.shared, `${c.proxyService} does not mount <runDir>/nginx at ${NGINX_ROUTE_DIR}: nginx's workers (user nobody) cannot read the route files, so nginx serves the defaults and every switch is refused (the file is restored)`, `add "${NGINX_ROUTE_VOLUME}" to its volumes`);
  if (!configText.includes('"mode":"$bg_route_mode"') || !/set \$bg_route_mode njs;/.test(configText)) add("warning", configFile, "the admin answer does not report \"mode\":\"njs\": the driver takes it for the reload route and reloads nginx on every switch (closing idle keep-alive connections)", `set $bg_route_mode njs; in each route and return "mode":"$bg_route_mode" from /bluegreen/targets (re-run \`bluegreen init\`)`);
}

/** Reads an adopted stack in `dir`, checks it, and adds compose's own verdict on the generated files. */
export async function runChecks(dir: string): Promise<Finding[]> {
  const files: StackFiles = {};
  const read = async (p: string) => {
    if (!(p in files)) files[p] = await readIfExists(join(dir, p));
  };
  await read(GENERATED.config);
  const layout = layoutOf(files[GENERATED.config] ?? null);
  if (layout) {
    for (const p of [layout.shared, layout.blue, layout.green]) await read(p);
    for (const p of [layout.blue, layout.green]) {
      const doc = yaml(files[p] ?? null);
      for (const svc of Object.values(doc && isMapping(doc.services) ? doc.services : {})) {
        if (isMapping(svc) && isMapping(svc.extends) && typeof svc.extends.file === "string") await read(svc.extends.file);
      }
    }
    for (const m of proxyMounts(yaml(files[layout.shared] ?? null), layout.proxyService)) await read(m.host);
  }
  const findings = checkStack(files);
  if (layout) findings.push(...(await drift(dir)));
  if (layout) {
    const env = { BG_STACK: str(layout.config.stack) ?? "stack", [VERSION_VARIABLE]: "doctor" };
    for (const p of [layout.shared, layout.blue, layout.green]) {
      if (files[p] == null) continue;
      const verdict = await validateWithCompose(dir, [p], env);
      if (verdict.ok === false) findings.push({ severity: "error", file: p, problem: `docker-compose rejects it: ${verdict.message.split("\n")[0]}`, fix: "fix the file (or re-run `bluegreen init`) until `docker-compose -f " + p + " config` passes" });
    }
  }
  return findings;
}

/** Generated files that differ from what init would write now (the user's compose file changed, or a hand edit). */
async function drift(dir: string): Promise<Finding[]> {
  const before = await previousChoices(dir);
  if (!before.rotate || !before.proxy) return [];
  try {
    const project = await loadProject(dir, []);
    // The route mode the config was written with: doctor never builds or runs an image to re-decide it.
    const route = before.proxy === "nginx" ? routeOfConfig(await readIfExists(join(dir, NGINX_CONFIG_PATH)), await readRouteScript()) : null;
    const plan = await buildPlan(dir, project, {
      rotate: before.rotate,
      proxy: before.proxy,
      stack: before.stack ?? defaultStackName(dir),
      previewPort: before.previewPort ?? 8081,
      healthPath: before.healthPath ?? "/",
      verifyPath: before.verifyPath ?? before.healthPath ?? "/",
      proxyImage: null,
    }, route ?? undefined);
    return plan.files
      .filter((f) => f.change === "update")
      .map((f) => ({ severity: "warning" as const, file: f.path, problem: `differs from what \`bluegreen init\` writes from ${project.files.join(", ")} now (your compose file changed, or the file was edited by hand)`, fix: "run `bluegreen init --dry-run` to see the diff, then `bluegreen init` to bring it up to date" }));
  } catch (err) {
    return [{ severity: "warning", file: "compose.yml", problem: `cannot be re-planned: ${err instanceof Error ? err.message : String(err)}`, fix: "fix your compose file, then run `bluegreen init` again" }];
  }
}

export function renderFindings(findings: Finding[]): string {
  if (findings.length === 0) return "bluegreen doctor: no problems found.\n";
  const errors = findings.filter((f) => f.severity === "error").length;
  const lines = findings.map((f) => `${f.severity === "error" ? "✗" : "!"} ${f.file}: ${f.problem}\n    fix: ${f.fix}`);
  return `${lines.join("\n")}\n\nbluegreen doctor: ${errors} error(s), ${findings.length - errors} warning(s).\n`;
}
