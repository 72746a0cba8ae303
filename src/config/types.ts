import type { Color } from "../domain/color.js";

export type ProxyDriverName = "nginx" | "caddy" | "haproxy";

/**
 * The validated, fully resolved configuration of one stack (bluegreen.yml + env overrides).
 * Every path is absolute; every duration is in milliseconds.
 */
export interface Config {
  /** Absolute path of the config file it came from. */
  file: string;
  /** Directory of the config file: relative paths in it resolve from here. */
  root: string;
  /** Stack name; compose project names are `${stack}` (shared), `${stack}-blue`, `${stack}-green`. */
  stack: string;
  compose: {
    shared: string;
    blue: string;
    green: string;
  };
  /**
   * Services that rotate per color, by base name. In compose.<color>.yml the service is
   * named `${name}-${color}` (e.g. `app-blue`) so that DNS names never collide on the shared network.
   */
  services: string[];
  /**
   * Environment passed to every compose invocation: the file's `env` (after ${VAR} interpolation)
   * plus, always, BG_STACK (= stack) and BG_RUN_DIR (= proxy.runDir), added by the loader so compose
   * mounts the very directory the proxy drivers use. The file may not set those two itself.
   */
  env: Record<string, string>;
  proxy: {
    driver: ProxyDriverName;
    /** Compose service (in the shared file) that runs the proxy. */
    service: string;
    /** Host directory bind-mounted into the proxy at /run/bluegreen (include files, admin sockets). */
    runDir: string;
    /** Upstream address template for a color, `{color}` is replaced: "app-{color}:3000". */
    upstream: string;
    /** The live route as an operator reaches it (127.0.0.1 only). */
    liveUrl: string;
    /** The preview route, which reaches the standby color. */
    previewUrl: string;
    /**
     * A group (name or gid) let into runDir besides its owner; absent: the owner only. runDir holds
     * the admin sockets, so whoever can enter it can reroute live traffic.
     */
    socketGroup?: string;
  };
  health: {
    timeoutMs: number;
    intervalMs: number;
    /**
     * For a rotating service without a Docker healthcheck: the health gate polls this path through the
     * preview route (pointed at the new color first). null: every service must have a healthcheck.
     */
    path: string | null;
  };
  drain: { timeoutMs: number };
  smoke: { spec: string | null; expectVersionHeader: string | null };
  /** The post-switch requests through the live route: path defaults to health.path, else "/". */
  /** `urls`: live URLs probed besides proxy.live, at the same time (each swarm node's proxy, say). */
  verify: { durationMs: number; intervalMs: number; path: string; method: "GET" | "HEAD"; urls: string[] };
  /**
   * Stop timeout of the old color (SIGTERM, then SIGKILL after it). null: each service's own
   * stop_grace_period from its compose file, else Docker's 10 s.
   */
  stop: { timeoutMs: number | null };
  /** The environment variable through which `deploy --version V` reaches the compose files. */
  versionVariable: string;
  /** Keep the old color running (warm) after a deploy, for instant rollback. */
  keepOldWarm: boolean;
  /** Directory for state.json, lock, history.jsonl. */
  stateDir: string;
  /**
   * The Docker endpoint (unix:///… or tcp://host:port) for dockerode and every compose run; null:
   * the operator's own DOCKER_HOST, else the local socket. The config's env may not set DOCKER_HOST.
   */
  docker: { host: string | null };
  /**
   * Where the stack runs: "compose" (one Docker host) or "swarm" (each slot a swarm stack; `swarm`
   * says how to reach the manager and the nodes). Always set by the loader.
   */
  platform?: PlatformConfig;
  /**
   * Operator hooks: executables named after their point (pre-deploy, pre-switch …) in `dir`, each
   * killed (its process group) after `timeoutMs`. Always set by the loader.
   */
  hooks?: { dir: string; timeoutMs: number };
  /** The migration step, when configured (null: deploys run no migration). Always set by the loader. */
  migrate?: MigrateConfig | null;
}

export type PlatformConfig =
  | { kind: "compose" }
  | {
      kind: "swarm";
      /** A manager's Docker endpoint: stack deploy/rm and the swarm API. */
      manager: string;
      /** Each node's Docker API by its hostname in `docker node ls`. */
      nodes: Record<string, string>;
      /** For nodes not listed: a template with {addr} / {hostname}; null: the adapter's default. */
      nodeEndpoint: string | null;
      /** ssh_config for ssh:// endpoints (absolute); null: ssh's own. */
      sshConfig: string | null;
    };

export interface MigrateConfig {
  /** Base name of the rotating service whose image runs it (`app` → `app-green` of the target color). */
  service: string;
  /** argv run in that one-off container before the new color starts (the expand step). */
  command: string[];
  /** argv of the opt-in contract step, run after the old color was stopped; null when not configured. */
  contract: string[] | null;
  timeoutMs: number;
}

export type { Color };
