import type { ProxyConfigInput, ProxyConfigPlan } from "./types.js";
import { upstream } from "./types.js";

/**
 * Caddy for bluegreen: JSON config with routes `@id` bg-live / bg-preview (the driver PATCHes their
 * upstreams through the admin API on a unix socket) and autosave into the run dir, so a restarted
 * proxy keeps its routing (`--resume`). The color header comes from the upstream actually dialled:
 * a `map` handler (evaluated lazily, when the response header is written) turns `<service>-blue`
 * into `blue`, so it stays right after a switch changes only the upstreams.
 */
export function caddyConfig(input: ProxyConfigInput): ProxyConfigPlan {
  // The live route lists the other color second (fixtures/proxy/caddy/caddy.json, the driver keeps
  // that order): the first available upstream serves, and a GET/HEAD the live color cannot answer
  // (a release dying right after the switch) is retried on the still-warm one. `retries` with no
  // try_duration retries at once: Caddy 2.6 waits try_interval (250 ms when unset) between tries,
  // and the config swap of bluegreen's switch back cancels that wait, failing the request.
  const fallback = {
    load_balancing: { selection_policy: { policy: "first" }, retries: 3, retry_match: [{ method: ["GET", "HEAD"] }] },
    health_checks: { passive: { fail_duration: "2s", max_fails: 1 } },
  };
  const route = (id: string, dials: string[]) => ({
    "@id": id,
    handle: [
      {
        handler: "map",
        source: "{http.reverse_proxy.upstream.host}",
        destinations: ["{bg_color}"],
        mappings: [
          { input: `${input.service}-blue`, outputs: ["blue"] },
          { input: `${input.service}-green`, outputs: ["green"] },
        ],
        defaults: ["unknown"],
      },
      {
        handler: "reverse_proxy",
        upstreams: dials.map((dial) => ({ dial })),
        ...(dials.length > 1 ? fallback : {}),
        headers: { response: { set: { "X-Bluegreen-Color": ["{bg_color}"] } } },
        transport: { protocol: "http", dial_timeout: "2s", keep_alive: { enabled: true, idle_timeout: "30s" } },
      },
    ],
  });
  const server = (port: number, id: string, dials: string[]) => ({
    listen: [`:${port}`],
    automatic_https: { disable: true },
    idle_timeout: "65s",
    routes: [route(id, dials)],
  });
  const config = {
    admin: { listen: "unix//run/bluegreen/caddy-admin.sock", config: { persist: true } },
    logging: { logs: { default: { level: "INFO" } } },
    apps: {
      http: {
        servers: {
          live: server(input.livePort, "bg-live", [upstream(input, "blue"), upstream(input, "green")]),
          preview: server(input.previewPort, "bg-preview", [upstream(input, "green")]),
        },
      },
    },
  };
  return {
    fileName: "caddy.json",
    content: `${JSON.stringify(config, null, 2)}\n`,
    mountPath: "/etc/caddy/bluegreen.json",
    // --resume: the autosave when there is one (a restarted proxy keeps its routing), else this file.
    command: ["caddy", "run", "--resume", "--config", "/etc/caddy/bluegreen.json"],
    extra: { environment: { XDG_CONFIG_HOME: "/run/bluegreen", XDG_DATA_HOME: "/tmp/caddy-data", HOME: "/tmp" } },
  };
}
