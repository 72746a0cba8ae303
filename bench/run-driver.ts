/**
 * Every figure for one proxy driver, on one stack of its own: deploys (overhead), driver-level and
 * CLI switches (time to the new color), warm rollbacks, errors under keep-alive load, and the
 * harness's throughput against wrk's.
 */
import { benchAgainstWrk, type BenchResult } from "./wrk-vs-autocannon.js";
import type { Color } from "../src/domain/color.js";
import { proxyContainerFinder } from "../src/cli/wire.js";
import { createDockerPort } from "../src/docker/dockerode-port.js";
import { NginxDriver } from "../src/proxy/nginx.js";
import { dockerCliExec } from "./docker-cli-exec.js";
import { errorsUnderLoad, type LoadErrorsResult } from "./load-errors.js";
import { deployOverhead, type DeployOverhead } from "./overhead.js";
import { createBenchStack, parseJsonResult, type BenchProxy, type BenchStack } from "./stack.js";
import { summarizeSeries, timeSwitchSeries, type SwitchSeries, type SwitchSummary } from "./switch-time.js";

export interface DriverBenchOptions {
  proxy: BenchProxy;
  proxyPort: number;
  previewPort: number;
  switches: number;
  cliSwitches: number;
  rollbacks: number;
  loadSwitches: number;
  loadConnections: number;
  wrkDurationMs: number;
  log: (line: string) => void;
}

export interface DriverBenchResult {
  proxy: BenchProxy;
  deploys: DeployOverhead[];
  driverSwitch: { summary: SwitchSummary; series: SwitchSeries } | null;
  /** nginx only: the same driver with `docker exec` through the docker CLI instead of dockerode. */
  driverSwitchDockerCli: { summary: SwitchSummary; series: SwitchSeries } | null;
  cliSwitch: { summary: SwitchSummary; series: SwitchSeries } | null;
  rollback: { summary: SwitchSummary; series: SwitchSeries } | null;
  load: LoadErrorsResult | null;
  wrk: BenchResult | null;
  errors: string[];
  elapsedMs: number;
}

const VERIFY_MS = 1000;

function failText(what: string, code: number | null, stderr: string, stdout: string): string {
  return `${what} exited ${String(code)}:\n${(stderr || stdout).trim().slice(-1500)}`;
}

async function deploy(stack: BenchStack, version: string): Promise<DeployOverhead> {
  const run = await stack.cli(["deploy", "--version", version, "--yes", "--json"], { timeoutMs: 240_000 });
  const result = parseJsonResult(run.stdout);
  if (run.code !== 0 || result.outcome !== "success") throw new Error(failText(`bluegreen deploy --version ${version}`, run.code, run.stderr, result.message));
  return deployOverhead(result, version, run.wallMs, VERIFY_MS);
}

/** Runs one part; a failure (also a series that stopped on a failed command) is recorded and the other parts still run. */
async function part<T>(name: string, errors: string[], log: (l: string) => void, fn: () => Promise<T>): Promise<T | null> {
  const t0 = performance.now();
  try {
    const value = await fn();
    const stoppedOn = (value as { error?: unknown } | null)?.error;
    if (typeof stoppedOn === "string") {
      errors.push(`${name}: stopped early: ${stoppedOn}`);
      log(`  ${name}: stopped early: ${stoppedOn.split("\n")[0]}`);
    }
    log(`  ${name}: done in ${Math.round(performance.now() - t0)} ms`);
    return value;
  } catch (err) {
    const message = `${name}: ${err instanceof Error ? err.message : String(err)}`;
    errors.push(message);
    log(`  FAILED ${message}`);
    return null;
  }
}

export async function benchDriver(o: DriverBenchOptions): Promise<DriverBenchResult> {
  const started = performance.now();
  const errors: string[] = [];
  const log = o.log;
  const result: DriverBenchResult = { proxy: o.proxy, deploys: [], driverSwitch: null, driverSwitchDockerCli: null, cliSwitch: null, rollback: null, load: null, wrk: null, errors, elapsedMs: 0 };
  const stack = await createBenchStack({ name: `bgt-bench-${o.proxy}`, proxy: o.proxy, proxyPort: o.proxyPort, previewPort: o.previewPort, verifyDuration: `${VERIFY_MS}ms` });
  log(`${o.proxy}: stack ${stack.name} on 127.0.0.1:${o.proxyPort}`);
  try {
    // Two deploys: the first starts the shared services, the second leaves both colors warm.
    for (const version of ["v1", "v2"]) {
      const d = await part(`deploy ${version}`, errors, log, () => deploy(stack, version));
      if (!d) throw new Error(`the stack could not be deployed (${errors.at(-1) ?? ""}); the remaining figures need it`);
      result.deploys.push(d);
    }

    const { engine, ports } = await stack.openEngine("fast");
    const driver = ports.proxy;
    const switchBound = (n: number, perMs: number) => 20_000 + n * perMs;

    const recorded = await driver.liveTarget();
    const driverSeries = await part(`${o.switches} driver switches`, errors, log, () =>
      timeSwitchSeries({ liveUrl: stack.liveUrl, count: o.switches, act: (to) => driver.switchLive(to), maxDurationMs: switchBound(o.switches, 4000) }),
    );
    if (driverSeries) result.driverSwitch = { summary: summarizeSeries(driverSeries), series: driverSeries };

    if (o.proxy === "nginx") {
      const cliDriver = new NginxDriver(ports.config, dockerCliExec, proxyContainerFinder(ports.config, createDockerPort({ host: ports.config.docker.host })));
      const cliExecSeries = await part(`${o.switches} driver switches, docker CLI exec`, errors, log, () =>
        timeSwitchSeries({ liveUrl: stack.liveUrl, count: o.switches, act: (to) => cliDriver.switchLive(to), maxDurationMs: switchBound(o.switches, 4000) }),
      );
      if (cliExecSeries) result.driverSwitchDockerCli = { summary: summarizeSeries(cliExecSeries), series: cliExecSeries };
    }

    // The driver switches above changed the proxy only, not the state file: route back to the recorded color.
    if (recorded && (await driver.liveTarget()) !== recorded) await driver.switchLive(recorded);

    const cliSeries = await part(`${o.cliSwitches} CLI switches`, errors, log, () =>
      timeSwitchSeries({
        liveUrl: stack.liveUrl,
        count: o.cliSwitches,
        maxDurationMs: switchBound(o.cliSwitches, 15_000),
        act: async () => {
          const run = await stack.cli(["switch", "--yes"], { config: "fast", timeoutMs: 60_000 });
          if (run.code !== 0) throw new Error(failText("bluegreen switch --yes", run.code, run.stderr, run.stdout));
        },
      }),
    );
    if (cliSeries) result.cliSwitch = { summary: summarizeSeries(cliSeries), series: cliSeries };

    const rollbackSeries = await part(`${o.rollbacks} engine rollbacks`, errors, log, () =>
      timeSwitchSeries({
        liveUrl: stack.liveUrl,
        count: o.rollbacks,
        maxDurationMs: switchBound(o.rollbacks, 15_000),
        act: async (to: Color) => {
          const r = await engine.rollback({ emit: () => undefined, confirm: async () => true, signal: new AbortController().signal });
          if (r.outcome !== "success" || r.to.color !== to) throw new Error(`rollback to ${to}: ${r.outcome}: ${r.message}`);
        },
      }),
    );
    if (rollbackSeries) result.rollback = { summary: summarizeSeries(rollbackSeries), series: rollbackSeries };

    const from = await driver.liveTarget();
    if (from) {
      result.load = await part(`${o.loadSwitches} switches under ${o.loadConnections}-connection load`, errors, log, () =>
        errorsUnderLoad({ liveUrl: `${stack.liveUrl}/`, connections: o.loadConnections, switches: o.loadSwitches, spacingMs: 500, from, act: (to) => driver.switchLive(to) }),
      );
    } else {
      errors.push("errors under load: the proxy routes to no single color; skipped");
    }

    result.wrk = await part("autocannon vs wrk", errors, log, () =>
      benchAgainstWrk({ url: `${stack.liveUrl}/`, connections: o.loadConnections, durationMs: o.wrkDurationMs }),
    );
  } catch (err) {
    if (!errors.includes(err instanceof Error ? err.message : String(err))) errors.push(err instanceof Error ? err.message : String(err));
  } finally {
    await stack.destroy().catch((err: unknown) => errors.push(err instanceof Error ? err.message : String(err)));
  }
  result.elapsedMs = Math.round(performance.now() - started);
  log(`${o.proxy}: finished in ${Math.round(result.elapsedMs / 1000)} s${errors.length ? ` with ${errors.length} problem(s)` : ""}`);
  return result;
}
