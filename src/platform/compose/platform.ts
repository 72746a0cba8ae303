/**
 * The compose platform: one Docker host, each slot a compose project (`<stack>`, `<stack>-blue`,
 * `<stack>-green`) run from the user's compose files. The engine sees only the Platform port; the
 * compose targets, project names and the Docker calls behind them live here.
 */
import type { Config } from "../../config/types.js";
import type { Color, Slot } from "../../domain/color.js";
import type { ComposeRunner, ComposeTarget, ContainerInfo, DockerPort } from "../../docker/types.js";
import type { Platform } from "../../engine/ports.js";
import type { ServiceFactsPort } from "./service-facts.js";

/** Resolves when every container is healthy; rejects on timeout, death or abort (src/docker/wait-healthy.ts). */
export interface HealthWaiter {
  waitHealthy: Platform["waitHealthy"];
}

/** Counts the open TCP connections a color's containers serve (src/drain/tcp-connections.ts). */
export interface ConnectionCounter {
  count(containers: ContainerInfo[], port: number): Promise<number>;
}

/** What the compose platform is made of: unit tests pass fakes of these, the CLI the real adapters. */
export interface ComposePlatformParts {
  docker: DockerPort;
  compose: ComposeRunner;
  health: HealthWaiter;
  serviceFacts: ServiceFactsPort;
  connections: ConnectionCounter;
}

export type ComposeStack = Pick<Config, "stack" | "compose" | "root" | "env">;

/** The compose project of a slot: the shared services are `<stack>`, a color `<stack>-<color>`. */
export function projectName(stack: string, slot: Slot): string {
  return slot === "shared" ? stack : `${stack}-${slot}`;
}

/** Pure: how compose is run for a slot, with `env` (a release's version variable) over the config's env. */
export function composeTarget(config: ComposeStack, slot: Slot, env: Record<string, string> = {}): ComposeTarget {
  return {
    project: projectName(config.stack, slot),
    files: [slot === "shared" ? config.compose.shared : config.compose[slot]],
    cwd: config.root,
    env: { ...config.env, ...env },
  };
}

export function createComposePlatform(config: ComposeStack, parts: ComposePlatformParts): Platform {
  const { docker, compose } = parts;
  const target = (slot: Slot, env?: Record<string, string>): ComposeTarget => composeTarget(config, slot, env);
  const projects: Record<Slot, string> = { shared: projectName(config.stack, "shared"), blue: projectName(config.stack, "blue"), green: projectName(config.stack, "green") };
  return {
    kind: "compose",
    ping: () => docker.ping(),
    list: (slot) => docker.listProjectContainers(projects[slot]),
    async listAll() {
      // One container list for both colors and the shared services.
      const all = await docker.listProjectsContainers([projects.blue, projects.green, projects.shared]);
      return {
        blue: all.filter((c) => c.project === projects.blue),
        green: all.filter((c) => c.project === projects.green),
        shared: all.filter((c) => c.project === projects.shared),
      };
    },
    build: (color: Color, opts) => compose.build(target(color, opts.env), opts.onLine, opts.signal ? { signal: opts.signal } : {}),
    start: (slot, opts) =>
      compose.up(
        target(slot, opts.env),
        {
          ...(opts.build !== undefined ? { build: opts.build } : {}),
          ...(opts.recreate !== undefined ? { recreate: opts.recreate } : {}),
          ...(opts.services ? { services: opts.services } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        },
        opts.onLine,
      ),
    // compose takes whole seconds; rounding up never cuts a grace period short.
    stop: (color, timeoutMs) => compose.stop(target(color), Math.ceil(timeoutMs / 1000)),
    remove: (slot, opts = {}) => compose.down(target(slot), opts),
    runOnce: (color, service, argv, opts) => {
      const { env, ...rest } = opts;
      return compose.runOnce(target(color, env), service, argv, rest);
    },
    waitHealthy: (ids, opts) => parts.health.waitHealthy(ids, opts),
    logs: (id, tail) => docker.logs(id, tail),
    watch: (slots, onEvent, onStatus) => docker.subscribe(slots.map((s) => projects[s]), onEvent, onStatus),
    serviceFacts: (color) => parts.serviceFacts.read(target(color)),
    connections: (containers, port) => parts.connections.count(containers, port),
  };
}
