import type { ProxyDriverName } from "../config/types.js";

export interface InitOptions {
  /** Services that rotate per color (compose service names). */
  rotate: string[];
  proxy: ProxyDriverName;
  stack: string;
  /** Host port of the preview route (bound to 127.0.0.1). */
  previewPort: number;
  /** HTTP path polled for health when the proxied service has no Docker healthcheck. */
  healthPath: string;
  /** Path verify sends its requests to after the switch (read-only, please). */
  verifyPath: string;
  /** Image of bluegreen's own proxy when the project has none of that kind. */
  proxyImage: string | null;
}

/** One file init will write: its new content, what is there now, and the diff between them. */
export interface PlannedFile {
  /** Relative to the project directory. */
  path: string;
  content: string;
  existing: string | null;
  change: "create" | "update" | "unchanged";
  diff: string;
  why: string;
}

export interface InitPlan {
  files: PlannedFile[];
  /** What init did on the user's behalf and how to use it (how the version reaches the files …). */
  notes: string[];
  /** What the operator should look at: things init could not do or guessed. */
  warnings: string[];
  /** A diff of the user's own proxy config to the generated one (shown, the user's file is not edited). */
  proxyDiff: string | null;
}

export class AdoptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdoptError";
  }
}

/** The file names init generates, relative to the project directory. */
export const GENERATED = {
  shared: "compose.bluegreen.yml",
  blue: "compose.blue.yml",
  green: "compose.green.yml",
  config: "bluegreen.yml",
  smoke: "bluegreen/smoke.yml",
  proxyDir: "bluegreen",
} as const;

export const VERSION_VARIABLE = "BLUEGREEN_VERSION";

/** The image of bluegreen's own proxy when the project has none of the chosen kind (--proxy-image). */
export const DEFAULT_PROXY_IMAGE = { nginx: "nginx:1.27", caddy: "caddy:2", haproxy: "haproxy:2.8" } as const;
