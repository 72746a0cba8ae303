import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.js";
import { createComposeRunner } from "../../../src/docker/compose-runner.js";
import { dockerodeOptions } from "../../../src/docker/dockerode-port.js";
import { configErrorOf, VALID_LINES, VALID_YAML, withLine } from "./helpers.js";

const DANGEROUS = [
  "PATH",
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "DYLD_INSERT_LIBRARIES",
  "NODE_OPTIONS",
  "NODE_PATH",
  "DOCKER_HOST",
  "DOCKER_CONFIG",
  "DOCKER_CERT_PATH",
  "DOCKER_TLS_VERIFY",
  "DOCKER_CONTEXT",
  "COMPOSE_FILE",
  "COMPOSE_PROJECT_NAME",
  "BASH_ENV",
  "ENV",
  "SHELL",
  "IFS",
  "PYTHONPATH",
  "PERL5LIB",
];

function withEnv(lines: string[]): string {
  const all = [...VALID_LINES];
  all.splice(8, 0, ...lines.map((line) => `  ${line}`));
  return `${all.join("\n")}\n`;
}

describe("the config's env cannot choose which programs bluegreen runs or which Docker it talks to", () => {
  it.each(DANGEROUS)("refuses %s in env, naming it and saying what to do", async (name) => {
    const error = await configErrorOf(() => parseConfig(withEnv([`${name}: "/tmp/evil"`]), "bluegreen.yml", {}));
    const issue = error.issues.find((i) => i.path === `env.${name}`);
    expect(issue, error.message).toBeDefined();
    expect(issue?.line).toBe(9);
    expect(issue?.message).toMatch(/remove it from env/);
    if (name.startsWith("DOCKER_")) expect(issue?.message).toContain("docker.host");
  });

  it("reports every refused key at once", async () => {
    const error = await configErrorOf(() => parseConfig(withEnv(["PATH: /x", "LD_PRELOAD: /x.so", "NODE_OPTIONS: --require /x.js"]), "bluegreen.yml", {}));
    expect(error.issues.map((i) => i.path).sort()).toEqual(["env.LD_PRELOAD", "env.NODE_OPTIONS", "env.PATH"]);
  });

  it("still accepts ordinary variables, including ones that merely contain a refused name", () => {
    const config = parseConfig(withEnv(["APP_PATH: /srv/app", "MY_DOCKER_HOST_LABEL: x", "COMPOSE_PORT: '80'"]), "bluegreen.yml", {});
    expect(config.env).toMatchObject({ APP_PATH: "/srv/app", MY_DOCKER_HOST_LABEL: "x", COMPOSE_PORT: "80" });
  });
});

describe("docker.host names the Docker endpoint explicitly", () => {
  it("is null by default (the operator's own DOCKER_HOST or the local socket)", () => {
    expect(parseConfig(VALID_YAML, "/s/bluegreen.yml", {}).docker).toEqual({ host: null });
  });

  it("accepts unix:// and tcp:// endpoints and refuses anything else", async () => {
    expect(parseConfig(withLine(20, "docker: { host: unix:///run/other.sock }"), "/s/bluegreen.yml", {}).docker.host).toBe("unix:///run/other.sock");
    expect(parseConfig(withLine(20, "docker: { host: tcp://127.0.0.1:2375 }"), "/s/bluegreen.yml", {}).docker.host).toBe("tcp://127.0.0.1:2375");
    const error = await configErrorOf(() => parseConfig(withLine(20, "docker: { host: /var/run/docker.sock }"), "bluegreen.yml", {}));
    expect(error.issues.find((i) => i.path === "docker.host")?.message).toContain("unix://");
  });

  it("drives dockerode: a unix endpoint becomes its socketPath, a tcp one its host and port", () => {
    expect(dockerodeOptions("unix:///run/other.sock")).toEqual({ socketPath: "/run/other.sock" });
    expect(dockerodeOptions("tcp://10.0.0.5:2376")).toEqual({ host: "10.0.0.5", port: 2376, protocol: "http" });
  });

  it("drives the compose runner: compose runs with DOCKER_HOST set to docker.host", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-docker-host-"));
    try {
      const fake = join(dir, "docker-compose");
      const seen = join(dir, "seen");
      await writeFile(fake, `#!/bin/sh\nprintf '%s' "$DOCKER_HOST" > ${JSON.stringify(seen)}\n`);
      await chmod(fake, 0o755);
      const runner = createComposeRunner({ dockerBin: join(dir, "no-docker"), composeV1Bin: fake, dockerHost: "tcp://127.0.0.1:1" });
      await runner.up({ project: "p", files: [], cwd: dir, env: {} }, {});
      const { readFile } = await import("node:fs/promises");
      expect(await readFile(seen, "utf8")).toBe("tcp://127.0.0.1:1");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("proxy.socketGroup", () => {
  it("is absent by default and kept as written when set", () => {
    expect(parseConfig(VALID_YAML, "/s/bluegreen.yml", {}).proxy.socketGroup).toBeUndefined();
    expect(parseConfig(withLine(11, "  service: proxy\n  socketGroup: bgops"), "/s/bluegreen.yml", {}).proxy.socketGroup).toBe("bgops");
    expect(parseConfig(withLine(11, "  service: proxy\n  socketGroup: 1001"), "/s/bluegreen.yml", {}).proxy.socketGroup).toBe("1001");
  });
});
