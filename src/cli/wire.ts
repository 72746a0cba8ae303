import { hostname, userInfo } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../config/types.js";
import { createComposeRunner } from "../docker/compose-runner.js";
import { createDockerPort } from "../docker/dockerode-port.js";
import type { DockerPort } from "../docker/types.js";
import { waitForHealthy } from "../docker/wait-healthy.js";
import { createConnectionCounter } from "../drain/tcp-connections.js";
import type { Clock, LiveProbePort, Ports, SmokePort } from "../engine/ports.js";
import { createComposePlatform, projectName, type HealthWaiter } from "../platform/compose/platform.js";
import { createServiceFacts } from "../platform/compose/service-facts.js";
import { createProxyDriver, HaproxyDriver } from "../proxy/index.js";
import { execChannel } from "../proxy/haproxy-channel.js";
import { ReplicatedProxyDriver, type ProxyReplica } from "../proxy/replicated.js";
import { createSwarmPlatform } from "../platform/swarm/index.js";
import { EngineError } from "../engine/errors.js";
import { createStatePorts } from "../state/engine-ports.js";
import { createHooksRunner } from "../hooks/index.js";

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : undefined),
};

export function identity(): { user: string; host: string } {
  let user = process.env.USER ?? "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep $USER
  }
  return { user, host: hostname() };
}

// The smoke runner (undici, ws) and the live probe (undici) load on their first use: `status`,
// `--help` and a rollback's switch never wait for them.
/** The smoke suite as the engine runs it: the configured spec, and smoke.expectVersionHeader when set. */
export function createSmokePort(config: Config): SmokePort {
  const load = async () => {
    if (!config.smoke.spec) return null;
    const { loadSmokeSpec, SmokeSpecError } = await import("../../smoke/spec.js");
    try {
      return await loadSmokeSpec(config.smoke.spec);
    } catch (err) {
      if (err instanceof SmokeSpecError) throw new EngineError("usage", `the smoke spec is invalid:\n${err.message}`, "nothing was changed", `fix ${config.smoke.spec} (or smoke.spec in ${config.file}) and run again`);
      throw err;
    }
  };
  return {
    async validate() {
      await load();
    },
    async run(baseUrl, opts) {
      const spec = await load();
      if (!spec) return { ok: true, checks: [] };
      const { runSmoke } = await import("../../smoke/runner.js");
      const result = await runSmoke(spec, {
        baseUrl,
        ...(opts.expectVersion ? { expectVersion: opts.expectVersion } : {}),
        ...(config.smoke.expectVersionHeader ? { versionHeader: config.smoke.expectVersionHeader } : {}),
        ...(opts.expectColor ? { expectColor: opts.expectColor } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onEvent: (e) => {
          if (e.type === "check-end") opts.onCheck?.(summarizeCheck(e.result));
        },
      });
      return { ok: result.ok, checks: result.checks.map(summarizeCheck) };
    },
  };
}

function summarizeCheck(r: import("../../smoke/types.js").CheckResult) {
  const detail = r.ok
    ? `${r.attempts} attempt(s)${r.repeated ? `, ${r.repeated.passed}/${r.repeated.of} repeats passed` : ""}`
    : r.error
      ? r.error
      : r.failures.map((f) => `${f.what}: expected ${f.expected}, got ${f.actual}`).join("; ");
  return { name: r.name, ok: r.ok, durationMs: r.durationMs, detail };
}

function createLazyLiveProbe(): LiveProbePort {
  let probe: Promise<LiveProbePort> | undefined;
  return {
    async sample(url, opts) {
      probe ??= import("../net/live-probe.js").then((m) => m.createLiveProbe());
      return (await probe).sample(url, opts);
    },
    async once(url, opts) {
      probe ??= import("../net/live-probe.js").then((m) => m.createLiveProbe());
      return (await probe).once(url, opts);
    },
  };
}

/** The engine's health gate over Docker; health.interval (HEALTH_CHECK_INTERVAL) sets its re-read period. */
export function createHealthWaiter(docker: DockerPort): HealthWaiter {
  return {
    async waitHealthy(ids, opts) {
      await waitForHealthy(docker, ids, { timeoutMs: opts.timeoutMs, intervalMs: opts.intervalMs, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onHealth ? { onHealth: opts.onHealth } : {}) });
    },
  };
}

/** Finds the proxy container: compose project `${stack}`, service `proxy.service`, running. */
export function proxyContainerFinder(config: Config, docker: DockerPort): () => Promise<string> {
  return async () => {
    const shared = await docker.listProjectContainers(projectName(config.stack, "shared"));
    const proxy = shared.find((c) => c.service === config.proxy.service && c.state === "running");
    if (!proxy) {
      throw new Error(
        `the proxy container (service "${config.proxy.service}" of compose project "${config.stack}") is not running; start the shared services (\`bluegreen deploy\` starts them, or docker-compose -p ${config.stack} -f ${config.compose.shared} up -d)`,
      );
    }
    return proxy.id;
  };
}

/** The platform and the proxy driver of a compose stack: one Docker host. */
function composeParts(config: Config, opts: { onWarn?: (msg: string) => void }): Pick<Ports, "platform" | "proxy"> {
  const docker = createDockerPort({ host: config.docker.host });
  const compose = createComposeRunner({ dockerHost: config.docker.host });
  return {
    platform: createComposePlatform(config, {
      docker,
      compose,
      health: createHealthWaiter(docker),
      serviceFacts: createServiceFacts(compose),
      connections: createConnectionCounter(docker, opts.onWarn),
    }),
    proxy: createProxyDriver(config, docker, proxyContainerFinder(config, docker)),
  };
}

/**
 * The platform and the proxy of a swarm stack: each slot a swarm stack, the proxy one HAProxy
 * replica per task, each driven through the Docker API of the node it runs on, all switched as one.
 */
function swarmParts(config: Config, swarm: Extract<NonNullable<Config["platform"]>, { kind: "swarm" }>): Pick<Ports, "platform" | "proxy"> {
  const platform = createSwarmPlatform({
    stack: config.stack,
    files: { shared: [config.compose.shared], blue: [config.compose.blue], green: [config.compose.green] },
    cwd: config.root,
    env: config.env,
    manager: swarm.manager,
    nodes: swarm.nodes,
    ...(swarm.nodeEndpoint ? { nodeEndpoint: swarm.nodeEndpoint } : {}),
    ...(swarm.sshConfig ? { sshConfig: swarm.sshConfig } : {}),
  });
  // One driver (and runtime-API session) per proxy container, kept while that container runs.
  const known = new Map<string, ProxyReplica>();
  const replicas = async (): Promise<ProxyReplica[]> => {
    const running = (await platform.list("shared")).filter((c) => c.service === config.proxy.service && (c.state === "running" || c.state === "paused") && c.node !== undefined);
    for (const id of known.keys()) if (!running.some((c) => c.id === id)) known.delete(id);
    return running
      .map((c) => {
        const node = c.node as string;
        let replica = known.get(c.id);
        if (!replica) {
          const exec = { exec: (id: string, argv: string[]) => platform.execOnNode(node, id, argv), execSession: (id: string, argv: string[]) => platform.execSessionOnNode(node, id, argv) };
          replica = { node, driver: new HaproxyDriver(config, { channel: execChannel(exec, c.id, node) }) };
          known.set(c.id, replica);
        }
        return replica;
      })
      .sort((a, b) => a.node.localeCompare(b.node));
  };
  return { platform, proxy: new ReplicatedProxyDriver(config.proxy.driver, replicas) };
}

/** Every real adapter, wired for one stack. */
export function createPorts(config: Config, opts: { onWarn?: (msg: string) => void } = {}): Ports {
  const state = createStatePorts(config, identity());
  const where = config.platform?.kind === "swarm" ? swarmParts(config, config.platform) : composeParts(config, opts);
  return {
    config,
    ...where,
    state: state.state,
    lock: state.lock,
    history: state.history,
    smoke: createSmokePort(config),
    live: createLazyLiveProbe(),
    ...(config.hooks ? { hooks: createHooksRunner(config.hooks.dir, { cwd: config.root }) } : {}),
    clock: systemClock,
    identity: identity(),
  };
}
