/**
 * What the engine needs to know about the services of one compose project, as the user's compose
 * files declare them: does a service have a healthcheck, and how long does it get to stop?
 * Read from `docker-compose config` (the files merged and interpolated exactly as compose will run
 * them, `extends` included). E6's compose model (src/platform/compose/) may extend this.
 */
import { execFile } from "node:child_process";
import { parse } from "yaml";
import { parseDuration } from "../../config/duration.js";
import { composeArgs, displayCommand } from "../../docker/compose-args.js";
import type { ComposeRunner, ComposeTarget } from "../../docker/types.js";

export interface ServiceFacts {
  /** The compose file declares a healthcheck that is not disabled (an image's HEALTHCHECK is not seen here). */
  healthcheck: "declared" | "disabled" | "absent";
  /** stop_grace_period in ms, or null when not set (Docker then waits 10 s). */
  stopGracePeriodMs: number | null;
}

export interface ServiceFactsPort {
  /** Facts per compose service name of the target project; throws a clear error when compose cannot read the files. */
  read(target: ComposeTarget): Promise<Record<string, ServiceFacts>>;
}

/** Pure: facts per service from the YAML that `docker-compose config` prints. */
export function parseServiceFacts(configYaml: string): Record<string, ServiceFacts> {
  const doc = parse(configYaml) as { services?: Record<string, unknown> } | null;
  const facts: Record<string, ServiceFacts> = {};
  for (const [name, raw] of Object.entries(doc?.services ?? {})) {
    const service = (raw ?? {}) as { healthcheck?: { disable?: unknown; test?: unknown }; stop_grace_period?: unknown };
    const hc = service.healthcheck;
    const test = hc?.test;
    const disabled = hc !== undefined && (hc.disable === true || (Array.isArray(test) && test[0] === "NONE") || test === "NONE");
    const grace = service.stop_grace_period === undefined ? null : parseDuration(String(service.stop_grace_period));
    facts[name] = {
      healthcheck: hc === undefined ? "absent" : disabled ? "disabled" : "declared",
      stopGracePeriodMs: grace && grace.ok ? grace.ms : null,
    };
  }
  return facts;
}

export function createServiceFacts(compose: Pick<ComposeRunner, "variant">, bins: { v2?: string; v1?: string } = {}): ServiceFactsPort {
  return {
    async read(target) {
      const variant = await compose.variant();
      const command = composeArgs(variant, target, { verb: "config" });
      const cmd = variant === "v2" ? (bins.v2 ?? command.cmd) : (bins.v1 ?? command.cmd);
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(cmd, command.args, { cwd: target.cwd, env: { ...process.env, ...target.env }, maxBuffer: 8 * 1024 * 1024, timeout: 60_000 }, (err, out, errOut) => {
          if (err) reject(new Error(`${displayCommand(command)} failed: ${(errOut || err.message).trim().split("\n").slice(-3).join(" ")}`));
          else resolve(out);
        });
      });
      return parseServiceFacts(stdout);
    },
  };
}
