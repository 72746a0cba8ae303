/**
 * `bluegreen init` as a pure function: a compose project and the options in, the files to write out
 * (content, what is there now, the diff), plus what the operator should know. Nothing here touches
 * the disk; init.ts reads the inputs and writes the plan.
 */
import { stringify } from "yaml";
import type { Color } from "../domain/color.js";
import type { ComposeProject, Mapping, ServiceFacts } from "../platform/compose/index.js";
import { servicePort } from "../platform/compose/index.js";
import { colorNetworks, colorService, colorVolumes } from "./color-file.js";
import { bluegreenYml, smokeSpec } from "./config-file.js";
import { findProxyService, portInProxyConfig, proxiedService, proxyConfigCandidates, proxyKind } from "./detect.js";
import { lineDiff } from "./diff.js";
import { proxyConfig } from "./proxy/index.js";
import type { NginxRouteChoice } from "./proxy/index.js";
import { proxyService, sharedNetworks, sharedService } from "./shared-file.js";
import type { InitOptions, InitPlan, PlannedFile } from "./types.js";
import { AdoptError, DEFAULT_PROXY_IMAGE, GENERATED, VERSION_VARIABLE } from "./types.js";

export interface InitInput {
  project: ComposeProject;
  options: InitOptions;
  /** Current contents of the files the plan reads or writes (see pathsToRead); null = absent. */
  existing: Record<string, string | null>;
  /** nginx: how the routes are read, as probed from the proxy's image (nginx-route.ts); default reload. */
  nginxRoute?: NginxRouteChoice;
}


/** Every path whose current content the planner needs: the generated files and the user's proxy config candidates. */
export function pathsToRead(project: ComposeProject, options: Pick<InitOptions, "rotate" | "proxy">): string[] {
  const proxy = findProxyService(project, options.rotate);
  const kind = proxy ? proxyKind(proxy) : null;
  const candidates = proxy && kind ? proxyConfigCandidates(proxy, kind).map((c) => c.hostPath) : [];
  // Every file the driver's config may come with (nginx: the njs script too, whichever mode is chosen).
  const generated = proxyConfig({ driver: options.proxy, livePort: 1, previewPort: 2, service: "x", servicePort: 1, nginxRoute: { mode: "njs", modulePath: "x", script: "", why: "" } });
  const proxyFiles = [generated.fileName, ...(generated.files ?? []).map((f) => f.fileName)].map((name) => `${GENERATED.proxyDir}/${name}`);
  return [GENERATED.shared, GENERATED.blue, GENERATED.green, GENERATED.config, GENERATED.smoke, ...proxyFiles, ...candidates];
}

function header(lines: string[]): string {
  return `${lines.map((l) => `# ${l}`).join("\n")}\n`;
}

function yamlFile(head: string[], doc: Mapping): string {
  return `${header(head)}${stringify(doc, { lineWidth: 0 })}`;
}

function planned(path: string, content: string, existing: Record<string, string | null>, why: string): PlannedFile {
  const before = existing[path] ?? null;
  const change = before === null ? "create" : before === content ? "unchanged" : "update";
  return { path, content, existing: before, change, diff: before === null ? "" : lineDiff(before, content, { from: `${path} (now)`, to: `${path} (init)` }), why };
}

export function planInit({ project, options, existing, nginxRoute }: InitInput): InitPlan {
  const notes: string[] = [];
  const warnings: string[] = [];
  const byName = new Map(project.services.map((s) => [s.name, s]));
  if (options.rotate.length === 0) throw new AdoptError(`name the services that rotate per color (--rotate), one of: ${project.services.map((s) => s.name).join(", ")}`);
  const rotating = options.rotate.map((name) => {
    const service = byName.get(name);
    if (!service) throw new AdoptError(`--rotate ${name}: there is no service "${name}" in ${project.files.join(", ")}; services: ${project.services.map((s) => s.name).join(", ")}`);
    if (proxyKind(service) !== null && project.services.length > 1) warnings.push(`${name} looks like a proxy (${service.image ?? service.build?.context}); the proxy is shared, not rotated — is --rotate right?`);
    return service;
  });

  // The proxy: the user's own (adapted) when it is of the chosen kind, else bluegreen's own in front.
  const userProxy = findProxyService(project, options.rotate);
  const userKind = userProxy ? proxyKind(userProxy) : null;
  const adapt = userProxy !== null && userKind === options.proxy;
  const candidates = userProxy && userKind ? proxyConfigCandidates(userProxy, userKind) : [];
  const userConfig = candidates.find((c) => (existing[c.hostPath] ?? null) !== null) ?? null;
  const userConfigText = userConfig ? (existing[userConfig.hostPath] ?? null) : null;

  const web = proxiedService(project, options.rotate, userConfigText);
  if (!web) throw new AdoptError(`none of ${options.rotate.join(", ")} has a port (ports: or expose:) for the proxy to send traffic to; add expose: ["<port>"] to the service that serves HTTP`);
  const webPort = portInProxyConfig(userConfigText, web.name) ?? servicePort(web);
  if (webPort === null) throw new AdoptError(`${web.name} has no container port in ports: or expose:; add expose: ["<port>"]`);

  const liveSource: ServiceFacts = userProxy ?? web;
  const livePorts = liveSource.ports.filter((p) => p.published !== null && p.protocol === "tcp");
  const firstLive = livePorts[0];
  if (!firstLive) throw new AdoptError(`${liveSource.name} publishes no host port: bluegreen keeps live traffic on the port you publish today; add ports: ["<host>:<container>"] to ${liveSource.name}`);
  if (livePorts.length > 1) warnings.push(`${liveSource.name} publishes ${livePorts.length} ports; the generated ${options.proxy} config routes container port ${userProxy ? firstLive.target : 8080} only (TLS on 443 and the like: add it to bluegreen/${options.proxy} config by hand, see docs/adopting.md)`);
  const livePort = adapt || userProxy ? firstLive.target : 8080;
  const previewPort = livePort === 8081 ? 8082 : 8081;
  const plan = proxyConfig({ driver: options.proxy, livePort, previewPort, service: web.name, servicePort: webPort, ...(nginxRoute ? { nginxRoute } : {}) });
  const proxyName = userProxy?.name ?? (byName.has("proxy") ? "bluegreen-proxy" : "proxy");
  const proxyDef = proxyService({
    base: adapt ? userProxy : userProxy ? { ...userProxy, raw: { ...stripBuild(userProxy.raw), image: options.proxyImage ?? DEFAULT_PROXY_IMAGE[options.proxy] } } : null,
    image: options.proxyImage ?? DEFAULT_PROXY_IMAGE[options.proxy],
    livePorts,
    livePort,
    previewHostPort: options.previewPort,
    previewPort,
    rotate: options.rotate,
    plan,
    dropMount: userConfig?.mountEntry ?? null,
  });
  if (adapt) notes.push(`proxy: your ${options.proxy} service "${proxyName}" keeps its image and its ports (${livePorts.map((p) => `${p.published}:${p.target}`).join(", ")}); bluegreen/${plan.fileName} is mounted over its config, the preview route is on 127.0.0.1:${options.previewPort}`);
  else if (userProxy) warnings.push(`proxy: "${userProxy.name}" runs ${userKind}, you chose ${options.proxy}: it is replaced by ${options.proxyImage ?? DEFAULT_PROXY_IMAGE[options.proxy]} on the same ports; your ${userKind} config is not used`);
  else notes.push(`proxy: no proxy in your project, so bluegreen's own (${options.proxyImage ?? DEFAULT_PROXY_IMAGE[options.proxy]}) runs as "${proxyName}" on the port ${web.name} published (${livePorts.map((p) => p.published).join(", ")})`);

  if (options.proxy === "nginx") {
    const route = nginxRoute ?? { mode: "reload" as const, why: "route mode not chosen" };
    notes.push(
      route.mode === "njs"
        ? `nginx route: njs, because ${route.why}: a switch is an atomic write of <runDir>/nginx/live.conf that the workers read per request (no reload, no client connection closed); <runDir>/nginx is mounted at /run/bluegreen-route`
        : `nginx route: reload, because ${route.why}: a switch rewrites <runDir>/nginx/live.conf and reloads nginx (idle keep-alive connections are closed; add ngx_http_js_module to the image and re-run init for switches without a reload)`,
    );
  }

  // Shared project: everything that does not rotate.
  const shared: Mapping = {};
  for (const service of project.services) {
    if (options.rotate.includes(service.name)) continue;
    if (service.name === userProxy?.name) continue;
    shared[service.name] = sharedService(service, options.rotate, project.files).definition;
  }
  shared[proxyName] = proxyDef;
  const sharedDoc: Mapping = { ...(project.version ? { version: project.version } : {}), services: shared, networks: sharedNetworks(project, options.stack) };
  if (Object.keys(project.volumes).length > 0) sharedDoc.volumes = project.volumes;
  const sharedText = yamlFile(
    [
      `Generated by \`bluegreen init\` from ${project.files.join(", ")}: the shared services of stack "${options.stack}"`,
      `(compose project "${options.stack}"), never duplicated. Services with \`extends\` follow your file; the`,
      "others are copies (compose cannot extend a service with depends_on): re-run `bluegreen init` after",
      "changing them there (`bluegreen doctor` tells you when they differ).",
    ],
    sharedDoc,
  );

  // The colors.
  const colorFile = (color: Color) => {
    const services: Mapping = {};
    for (const service of rotating) {
      const cs = colorService(service, color, { stack: options.stack, composeFiles: project.files });
      services[cs.name] = cs.definition;
      if (color === "blue") notes.push(...cs.notes, `${service.name}: ${cs.extended ? `compose.<color>.yml extends it from ${project.files[0]}` : `copied into compose.<color>.yml (compose 1.29 cannot extend a service with ${["ports", "container_name", "hostname", "depends_on", "links", "volumes_from", "network_mode", "extends"].filter((k) => service.raw[k] !== undefined).join(", ") || "several -f files"})`}`);
      if (color === "blue" && service.init === false) warnings.push(`${service.name}: init: false kept as you wrote it; if the app runs as PID 1 and ignores SIGTERM, every stop waits the full stop timeout`);
      else if (color === "blue" && service.init === null) notes.push(`${service.name}: init: true added (Docker's tini forwards SIGTERM, so a Node/Python app running as PID 1 stops at once instead of after the stop timeout)`);
    }
    const doc: Mapping = { ...(project.version ? { version: project.version } : {}), services, networks: colorNetworks(rotating, project, options.stack) };
    const volumes = colorVolumes(rotating, project, options.stack);
    if (Object.keys(volumes).length > 0) doc.volumes = volumes;
    return yamlFile(
      [
        `Generated by \`bluegreen init\`: the ${color} color of stack "${options.stack}" (compose project "${options.stack}-${color}").`,
        `The version comes from \${${VERSION_VARIABLE}} (bluegreen deploy --version V sets it).`,
        "Re-run `bluegreen init` after changing these services in your compose file.",
      ],
      doc,
    );
  };
  for (const service of rotating) {
    if (service.namedVolumes.length > 0) warnings.push(`${service.name}: named volumes ${service.namedVolumes.join(", ")} are shared by both colors while both run`);
    if (service.build) notes.push(`version: ${service.name} is built from source; deploy --version V builds it as ${service.image ? service.image.replace(/:[^/:]*$/, "") : `${options.stack}/${service.name}`}:V and passes build arg ${VERSION_VARIABLE}=V`);
    else if (service.image) notes.push(`version: ${service.name} runs a pre-built image; deploy --version V runs ${service.image.replace(/:[^/:]*$/, "")}:V (build or pull that tag first)`);
    if (service !== web && !service.healthcheck) warnings.push(`${service.name} has no Docker healthcheck and no port the proxy reaches: add a healthcheck: to it in your compose file and re-run init (bluegreen never treats a service without one as healthy)`);
  }
  const healthPath = rotating.some((s) => s === web && (!s.healthcheck || s.healthcheck.disabled)) ? options.healthPath : null;
  if (healthPath) notes.push(`health: ${web.name} has no Docker healthcheck; bluegreen polls ${healthPath} through the preview route (health.path in bluegreen.yml)`);

  const livePublished = firstLive.published ?? "";
  const liveUrl = `http://127.0.0.1:${livePublished}`;
  const config = bluegreenYml({
    stack: options.stack,
    rotate: options.rotate,
    driver: options.proxy,
    proxyService: proxyName,
    upstream: `${web.name}-{color}:${webPort}`,
    liveUrl,
    previewUrl: `http://127.0.0.1:${options.previewPort}`,
    healthPath,
    verifyPath: options.verifyPath,
    userFiles: project.files,
  });

  const files = [
    planned(GENERATED.shared, sharedText, existing, "the shared services and the adapted proxy"),
    planned(GENERATED.blue, colorFile("blue"), existing, "the blue color"),
    planned(GENERATED.green, colorFile("green"), existing, "the green color"),
    planned(`${GENERATED.proxyDir}/${plan.fileName}`, plan.content, existing, `the ${options.proxy} configuration bluegreen drives`),
    ...(plan.files ?? []).map((f) => planned(`${GENERATED.proxyDir}/${f.fileName}`, f.content, existing, `mounted at ${f.mountPath}`)),
    planned(GENERATED.smoke, smokeSpec(options.verifyPath), existing, "the smoke checks run before each switch"),
    planned(GENERATED.config, config, existing, "bluegreen's configuration"),
  ];
  const proxyDiff = userConfig && userConfigText !== null && adapt ? lineDiff(userConfigText, plan.content, { from: userConfig.hostPath, to: `${GENERATED.proxyDir}/${plan.fileName} (mounted at ${plan.mountPath})` }) : null;
  if (userConfig && adapt) notes.push(`proxy: ${userConfig.hostPath} is no longer used by the stack bluegreen runs (your file is left as it was; the diff shows what replaces it)`);
  if (livePublished.includes("$")) notes.push(`live: ${liveUrl} keeps your variable; set it the same way when you run bluegreen`);
  notes.push(`before the first deploy: stop the stack you run today (docker-compose down in this directory), so the port ${livePublished} is free for "${proxyName}"`);
  return { files, notes, warnings, proxyDiff };
}

function stripBuild(raw: Mapping): Mapping {
  const copy = structuredClone(raw);
  delete copy.build;
  delete copy.command;
  delete copy.volumes;
  return copy;
}
