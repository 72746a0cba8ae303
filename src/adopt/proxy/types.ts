import type { ProxyDriverName } from "../../config/types.js";

/** What a generated proxy configuration needs to know. */
export interface ProxyConfigInput {
  driver: ProxyDriverName;
  /** Container port of the live route: the one the user's published port already maps to. */
  livePort: number;
  /** Container port of the preview route (published on 127.0.0.1 only). */
  previewPort: number;
  /** The proxied rotating service's base name and container port: upstream `<service>-<color>:<port>`. */
  service: string;
  servicePort: number;
}

/** A generated proxy: its config file, where it goes in the container, and how the container runs it. */
export interface ProxyConfigPlan {
  /** File name under bluegreen/ on the host. */
  fileName: string;
  content: string;
  /** Path inside the proxy container the file is mounted at (read-only). */
  mountPath: string;
  /** The proxy container's command (argv). */
  command: string[];
  /** Extra service keys the driver needs (user, environment). */
  extra: Record<string, unknown>;
}

export function upstream(input: ProxyConfigInput, color: "blue" | "green"): string {
  return `${input.service}-${color}:${input.servicePort}`;
}
