// What `bluegreen init` and `bluegreen doctor` run, loaded only when one of them is called.
import { createInterface } from "node:readline/promises";
import type { ProxyDriverName } from "../../config/types.js";
import type { InitFlags } from "./adopt.js";
import { AdoptError } from "../../adopt/types.js";
import type { InitOptions } from "../../adopt/types.js";
import { buildPlan, defaultStackName, loadProject, previousChoices, renderPlan, writePlan } from "../../adopt/init.js";
import { findProxyService, proxyKind } from "../../adopt/detect.js";
import { runChecks, renderFindings } from "../../adopt/check.js";
import { chooseNginxRoute, readRouteScript } from "../../adopt/nginx-route.js";
import { createComposeRunner } from "../../docker/compose-runner.js";
import { createImageProbe } from "../../docker/image-probe.js";
import { findComposeFiles, validateWithCompose } from "../../platform/compose/index.js";
import { ExitCode } from "../exit-codes.js";
import type { Io } from "../run-operation.js";
import { UsageError } from "../usage.js";

export async function doctor(dir: string, io: Io): Promise<number> {
  const findings = await runChecks(dir);
  io.stdout.write(renderFindings(findings));
  return findings.some((f) => f.severity === "error") ? ExitCode.Failed : ExitCode.Success;
}

/**
 * Questions on the terminal: one readline for the whole session (a second one would miss lines the
 * first already read), answers queued as they arrive; end of input answers with the default.
 */
function prompter(io: Io): { ask(question: string, fallback: string): Promise<string>; close(): void } {
  const rl = createInterface({ input: io.stdin, terminal: false });
  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let closed = false;
  rl.on("line", (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  rl.on("close", () => {
    closed = true;
    for (const w of waiting.splice(0)) w(null);
  });
  return {
    async ask(question, fallback) {
      io.stdout.write(`${question}${fallback ? ` [${fallback}]` : ""} `);
      const line = lines.length > 0 ? (lines.shift() ?? null) : closed ? null : await new Promise<string | null>((resolve) => waiting.push(resolve));
      return line?.trim() || fallback;
    },
    close: () => rl.close(),
  };
}

export async function init(dir: string, flags: InitFlags, io: Io): Promise<number> {
  const interactive = io.stdin.isTTY === true && io.stdout.isTTY === true && !flags.yes;
  const prompt = interactive ? prompter(io) : null;
  try {
    return await initWith(dir, flags, io, prompt);
  } finally {
    prompt?.close();
  }
}

async function initWith(dir: string, flags: InitFlags, io: Io, prompt: ReturnType<typeof prompter> | null): Promise<number> {
  const interactive = prompt !== null;
  const ask = (_io: Io, question: string, fallback: string) => (prompt ? prompt.ask(question, fallback) : Promise.resolve(fallback));
  let project;
  try {
    project = await loadProject(dir, flags.file);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  // compose's own verdict first (interpolation, merging of -f files): init plans from valid files only.
  const verdict = await validateWithCompose(dir, await findComposeFiles(dir, flags.file), {});
  if (verdict.ok === false) throw new UsageError(`docker-compose rejects your compose file(s), so init wrote nothing:\n${verdict.message}`);
  const before = await previousChoices(dir);
  const names = project.services.map((s) => s.name);
  const detected = findProxyService(project, []);
  let rotateText = flags.rotate ?? before.rotate?.join(",");
  if (!rotateText && interactive) {
    const guess = project.services.filter((s) => s !== detected && (s.build !== null || s.ports.length > 0) && !/redis|postgres|mysql|mongo|mariadb/.test(s.image ?? "")).map((s) => s.name);
    rotateText = await ask(io, `services: ${names.join(", ")}\nwhich rotate per color (stateless: app, worker), comma-separated?`, guess.join(","));
  }
  if (!rotateText) throw new UsageError(`name the services that rotate per color: --rotate SERVICE[,SERVICE…] (services: ${names.join(", ")})`);
  const rotate = rotateText.split(",").map((s) => s.trim()).filter(Boolean);
  const userProxy = findProxyService(project, rotate);
  let proxy: ProxyDriverName | undefined = flags.proxy ?? before.proxy;
  if (!proxy && interactive) {
    const answer = await ask(io, `proxy (nginx, caddy, haproxy)${userProxy ? `; your project runs ${proxyKind(userProxy)} as "${userProxy.name}"` : ""}?`, (userProxy && proxyKind(userProxy)) ?? "haproxy");
    if (answer !== "nginx" && answer !== "caddy" && answer !== "haproxy") throw new UsageError(`proxy "${answer}": choose nginx, caddy or haproxy`);
    proxy = answer;
  }
  proxy ??= (userProxy && proxyKind(userProxy)) ?? undefined;
  if (!proxy) throw new UsageError("choose the proxy: --proxy nginx|caddy|haproxy");
  const previewPort = flags.previewPort === undefined ? (before.previewPort ?? 8081) : Number(flags.previewPort);
  if (!Number.isInteger(previewPort) || previewPort < 1 || previewPort > 65535) throw new UsageError(`--preview-port ${flags.previewPort}: a port number 1-65535`);
  const options: InitOptions = {
    rotate,
    proxy,
    stack: flags.stack ?? before.stack ?? defaultStackName(dir),
    previewPort,
    healthPath: flags.healthPath ?? before.healthPath ?? "/",
    verifyPath: flags.verifyPath ?? flags.healthPath ?? before.verifyPath ?? "/",
    proxyImage: flags.proxyImage ?? null,
  };
  // nginx: njs when the image the stack will run has the module (a look inside it), else reload.
  let nginxRoute;
  if (proxy === "nginx") {
    const preference = flags.nginxRoute ?? before.nginxRoute ?? "auto";
    nginxRoute = await chooseNginxRoute(
      { dir, project, options, preference, onLine: (line) => io.stdout.write(`${line}\n`) },
      { compose: createComposeRunner(), probe: createImageProbe(), script: readRouteScript },
    );
    if (preference === "njs" && nginxRoute.mode !== "njs") throw new UsageError(`--nginx-route njs: ${nginxRoute.why}, so nginx could not load the njs route; init wrote nothing. Use --nginx-route reload (or auto), or add ngx_http_js_module to the image`);
  }
  let plan;
  try {
    plan = await buildPlan(dir, project, options, nginxRoute);
  } catch (err) {
    if (err instanceof AdoptError) throw new UsageError(err.message);
    throw err;
  }
  const changes = plan.files.filter((f) => f.change !== "unchanged");
  io.stdout.write(`bluegreen init: stack "${options.stack}", rotating ${rotate.join(", ")}, proxy ${proxy}, from ${project.files.join(", ")}\n`);
  io.stdout.write(renderPlan(plan, { showDiffs: true }));
  if (changes.length === 0) {
    io.stdout.write("\nnothing to change: the stack is already adopted with these choices. Check it with `bluegreen doctor`.\n");
    return ExitCode.Success;
  }
  if (flags.dryRun) {
    io.stdout.write(`\ndry run: ${changes.length} file(s) would be written; nothing was written.\n`);
    return ExitCode.Success;
  }
  if (!flags.yes) {
    if (!interactive) {
      io.stderr.write("bluegreen init: not written — no terminal to confirm on; run again with --yes (or --dry-run to only look).\n");
      return ExitCode.NotConfirmed;
    }
    const answer = await ask(io, `write ${changes.length} file(s)? (y/n)`, "n");
    if (!/^y(es)?$/i.test(answer)) {
      io.stdout.write("nothing was written.\n");
      return ExitCode.NotConfirmed;
    }
  }
  const written = await writePlan(dir, plan);
  io.stdout.write(`\nwrote ${written.join(", ")}. Your own compose and proxy files were not edited.\nNext: bluegreen doctor, then bluegreen deploy --version v1\n`);
  return ExitCode.Success;
}
