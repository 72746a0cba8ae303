/**
 * The bluegreen.yml of a demo stack run from a temp dir: the repository's compose files and smoke
 * spec, the stack's own ports, run dir and state dir. Shared by the bench's stacks and the test
 * kit's (testkit/bluegreen-stack.ts). The caller passes the repository root.
 */
import path from "node:path";

export interface DemoStackConfig {
  repoRoot: string;
  stack: string;
  proxy: "nginx" | "caddy" | "haproxy";
  proxyPort: number;
  previewPort: number;
  runDir: string;
  stateDir: string;
  verifyDuration: string;
  /** Defaults: 60s, 5s, true. */
  healthTimeout?: string;
  drainTimeout?: string;
  keepOldWarm?: boolean;
}

export function demoStackConfigYaml(c: DemoStackConfig): string {
  const rel = (f: string) => JSON.stringify(path.join(c.repoRoot, f));
  return `stack: ${c.stack}
compose:
  shared: ${rel("compose.yml")}
  blue: ${rel("compose.blue.yml")}
  green: ${rel("compose.green.yml")}
services: [app]
env:
  PROXY_PORT: "${c.proxyPort}"
  PREVIEW_PORT: "${c.previewPort}"
  DEMO_PROXY: ${c.proxy}
proxy:
  driver: ${c.proxy}
  service: proxy
  runDir: ${JSON.stringify(c.runDir)}
  upstream: "app-{color}:3000"
  live: http://127.0.0.1:${c.proxyPort}
  preview: http://127.0.0.1:${c.previewPort}
health: { timeout: ${c.healthTimeout ?? "60s"}, interval: 1s }
drain: { timeout: ${c.drainTimeout ?? "5s"} }
smoke: { spec: ${rel("smoke/specs/demo.yml")} }
verify: { duration: ${c.verifyDuration}, interval: 50ms }
versionVariable: APP_VERSION
keepOldWarm: ${c.keepOldWarm ?? true}
stateDir: ${JSON.stringify(c.stateDir)}
`;
}
