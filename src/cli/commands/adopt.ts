import type { Command } from "commander";
import { Option } from "commander";
import { resolve } from "node:path";
import type { ProxyDriverName } from "../../config/types.js";
import type { NginxRoutePreference } from "../../adopt/nginx-route.js";
import type { Io } from "../run-operation.js";

// The commands only; what they run (the compose reader, the planner, the checks) loads when one of
// them is called (./adopt-run.ts), not for every other command.
export interface InitFlags {
  rotate?: string;
  proxy?: ProxyDriverName;
  stack?: string;
  previewPort?: string;
  healthPath?: string;
  verifyPath?: string;
  proxyImage?: string;
  nginxRoute?: NginxRoutePreference;
  file: string[];
  dir: string;
  yes?: boolean;
  check?: boolean;
  dryRun?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerAdopt(program: Command, io: Io, setCode: (code: number) => void): void {
  program
    .command("init")
    .description("adopt the compose project in this directory: write the color files, the proxy config, bluegreen.yml and a smoke spec")
    .option("--rotate <services>", "services that rotate per color, comma-separated (e.g. web,worker)")
    .addOption(new Option("--proxy <driver>", "the proxy bluegreen drives").choices(["nginx", "caddy", "haproxy"]))
    .option("--stack <name>", "stack name (prefix of the compose projects); default: the directory name")
    .option("--preview-port <port>", "host port of the preview route, bound to 127.0.0.1", undefined)
    .option("--health-path <path>", "path polled through the preview route when a service has no Docker healthcheck (default /)")
    .option("--verify-path <path>", "read-only path verify requests after the switch (default: the health path)")
    .option("--proxy-image <image>", "image of bluegreen's own proxy when your project has none of that kind")
    .addOption(new Option("--nginx-route <mode>", "nginx: read the route per request with njs (no reload on a switch) or reload; auto looks inside the proxy's image for ngx_http_js_module").choices(["auto", "njs", "reload"]))
    .option("-f, --file <file>", "your compose file (repeatable, like docker-compose -f); default: compose's own lookup", collect, [])
    .option("-C, --dir <dir>", "the compose project's directory", ".")
    .option("--yes", "write without asking")
    .option("--dry-run", "show what would be written, write nothing")
    .option("--check", "validate an adopted stack instead (same as bluegreen doctor)")
    .action(async (flags: InitFlags) => {
      const { doctor, init } = await import("./adopt-run.js");
      const dir = resolve(flags.dir);
      if (flags.check) return setCode(await doctor(dir, io));
      setCode(await init(dir, flags, io));
    });
  program
    .command("doctor")
    .description("check an adopted stack (what init wrote, the proxy config, health and ports) and name each problem with its fix")
    .option("-C, --dir <dir>", "the compose project's directory", ".")
    .action(async (flags: { dir: string }) => {
      const { doctor } = await import("./adopt-run.js");
      setCode(await doctor(resolve(flags.dir), io));
    });
}

