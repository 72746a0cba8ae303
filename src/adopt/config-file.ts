/** The bluegreen.yml and smoke spec init writes, every key explained. */
import type { ProxyDriverName } from "../config/types.js";
import { GENERATED, VERSION_VARIABLE } from "./types.js";

export interface ConfigFileInput {
  stack: string;
  rotate: string[];
  driver: ProxyDriverName;
  proxyService: string;
  upstream: string;
  liveUrl: string;
  previewUrl: string;
  /** null when every rotating service has a Docker healthcheck. */
  healthPath: string | null;
  verifyPath: string;
  userFiles: string[];
}

const q = (s: string) => JSON.stringify(s);

export function bluegreenYml(c: ConfigFileInput): string {
  return `# bluegreen configuration, written by \`bluegreen init\` from ${c.userFiles.join(", ")}.
# Re-running \`bluegreen init\` rewrites it (and shows the diff first); \`bluegreen doctor\` checks the setup.
# Relative paths resolve from this file's directory. Durations take units: 500ms, 30s, 2m.
# String values may use \${VAR}, \${VAR:-default} or \${VAR:?message} from the environment.

# Prefix of the compose project names: ${c.stack} (shared services), ${c.stack}-blue, ${c.stack}-green.
stack: ${c.stack}

compose:
  shared: ${GENERATED.shared}   # the services that are never duplicated (proxy, datastores)
  blue: ${GENERATED.blue}          # the rotating services as <name>-blue
  green: ${GENERATED.green}        # the rotating services as <name>-green

# Services that rotate per color; in compose.<color>.yml each is named <name>-<color>.
services: [${c.rotate.join(", ")}]

# \`bluegreen deploy --version V\` passes V to compose as this variable; the color files use it as
# the image tag (and a build arg when built from source) and the bluegreen.version label.
versionVariable: ${VERSION_VARIABLE}

proxy:
  driver: ${c.driver}              # nginx | caddy | haproxy; what ${GENERATED.shared} runs as service "${c.proxyService}"
  service: ${c.proxyService}
  runDir: .bluegreen/run       # bind-mounted at /run/bluegreen in the proxy: include files, admin socket, saved state
  upstream: ${q(c.upstream)}   # how the proxy dials one color on the shared network
  live: ${q(c.liveUrl)}        # the live route, where your users' traffic already arrives
  preview: ${q(c.previewUrl)}  # the preview route (the standby color), bound to 127.0.0.1

health:
${c.healthPath === null ? "  # Every rotating service has a Docker healthcheck: that is the gate. Without one, set path:\n  # path: /healthz" : `  # ${c.rotate.join(", ")} has no Docker healthcheck: the gate polls this path through the preview
  # route until it answers 2xx/3xx. Better: add a healthcheck to the service in your compose file.
  path: ${c.healthPath}`}
  timeout: 120s                # how long a new color may take to become healthy
  interval: 1s

drain:
  timeout: 30s                 # how long the old color may keep finishing open connections

# stop:
#   timeout: 10s               # default: the service's stop_grace_period, else 10s (Docker's default)

smoke:
  spec: ${GENERATED.smoke}     # checks run through the preview route before the switch

verify:
  path: ${c.verifyPath}                      # after the switch, requests go here through the live route: keep it read-only
  method: GET                  # GET or HEAD
  duration: 5s
  interval: 50ms

keepOldWarm: true              # keep the old color running after a deploy: rollback is instant
stateDir: .bluegreen           # state.json, lock, history.jsonl
`;
}

export function smokeSpec(path: string): string {
  return `# Smoke checks, written by \`bluegreen init\`: run through the preview route before each switch.
# \${EXPECT_COLOR} is the color being checked; the proxy adds X-Bluegreen-Color to every response, so
# your app needs no change. Add your own checks (format: smoke/README.md in bluegreen).
defaults: { timeout: 2s, retries: 2, retryDelay: 250ms }
checks:
  - name: ${path} answers through the proxy from the new color
    http: { method: GET, path: ${path} }
    expect:
      status: 200
      headers: { X-Bluegreen-Color: "\${EXPECT_COLOR}" }
`;
}
