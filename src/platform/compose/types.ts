/**
 * A user's compose project as plain facts: what bluegreen needs to know about its services to adopt
 * it (which rotate, what collides between two colors, how it is health-checked and stopped). Pure
 * data: built by parse.ts from YAML text, never by talking to Docker.
 */

/** One entry of a service's `ports`, short or long syntax. */
export interface PortFact {
  /** Host address it binds to, when given ("127.0.0.1"); null means all interfaces. */
  hostIp: string | null;
  /** Host port (or range) as written; null when compose picks one (container port only). */
  published: string | null;
  /** Container port. */
  target: number;
  protocol: "tcp" | "udp";
}

export interface BuildFact {
  context: string;
  dockerfile: string | null;
  args: Record<string, string>;
}

export interface HealthcheckFact {
  /** `disable: true` or `test: ["NONE"]`: the image's own check is switched off. */
  disabled: boolean;
  test: string[] | string | null;
}

export interface ServiceFacts {
  name: string;
  image: string | null;
  build: BuildFact | null;
  ports: PortFact[];
  /** Container ports from `expose`. */
  expose: number[];
  healthcheck: HealthcheckFact | null;
  stopGracePeriod: string | null;
  containerName: string | null;
  hostname: string | null;
  /** `init` as written; null when absent. */
  init: boolean | null;
  dependsOn: string[];
  /** Networks the service joins; empty means the project's default network. */
  networks: string[];
  /** Named volumes it mounts (not bind mounts). */
  namedVolumes: string[];
  envFile: string[];
  command: string[] | string | null;
  /** The service mapping exactly as written (after merging several -f files), as plain data. */
  raw: Record<string, unknown>;
}

export interface ComposeProject {
  /** The files it was read from, in -f order (paths as given). */
  files: string[];
  /** `version:` of the first file, when present. */
  version: string | null;
  services: ServiceFacts[];
  /** Top-level `networks` / `volumes` as written. */
  networks: Record<string, unknown>;
  volumes: Record<string, unknown>;
}

export class ComposeReadError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "ComposeReadError";
  }
}
