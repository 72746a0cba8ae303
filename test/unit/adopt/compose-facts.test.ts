import { describe, expect, it } from "vitest";
import { parseComposeProject, parsePort } from "../../../src/platform/compose/index.js";

describe("the compose reader", () => {
  it.each([
    ["80", { hostIp: null, published: null, target: 80, protocol: "tcp" }],
    ["8080:80", { hostIp: null, published: "8080", target: 80, protocol: "tcp" }],
    ["127.0.0.1:8080:80/udp", { hostIp: "127.0.0.1", published: "8080", target: 80, protocol: "udp" }],
    ["${HTTP_PORT:-80}:80", { hostIp: null, published: "${HTTP_PORT:-80}", target: 80, protocol: "tcp" }],
    ["127.0.0.1:${P:-1}:3000", { hostIp: "127.0.0.1", published: "${P:-1}", target: 3000, protocol: "tcp" }],
  ])("reads the port %s", (spec, fact) => {
    expect(parsePort(spec)).toEqual([fact]);
  });

  it("reads the facts of a service: build, healthcheck, stop grace, names, init, deps, networks, volumes, env_file", () => {
    const project = parseComposeProject([
      {
        file: "compose.yml",
        text: `services:
  web:
    build: { context: ./web, args: [A=1] }
    ports: [{ target: 3000, published: 8000 }]
    healthcheck: { test: ["CMD", "true"] }
    stop_grace_period: 20s
    container_name: web1
    hostname: web
    init: false
    depends_on: { db: { condition: service_healthy } }
    networks: [front, back]
    volumes: [uploads:/data, ./src:/src]
    env_file: .env
  db:
    image: postgres:16
    healthcheck: { disable: true }
`,
      },
    ]);
    const [web, db] = project.services;
    expect(web).toMatchObject({
      name: "web",
      build: { context: "./web", dockerfile: null, args: { A: "1" } },
      ports: [{ target: 3000, published: "8000", hostIp: null, protocol: "tcp" }],
      healthcheck: { disabled: false, test: ["CMD", "true"] },
      stopGracePeriod: "20s",
      containerName: "web1",
      hostname: "web",
      init: false,
      dependsOn: ["db"],
      networks: ["front", "back"],
      namedVolumes: ["uploads"],
      envFile: [".env"],
    });
    expect(db).toMatchObject({ image: "postgres:16", healthcheck: { disabled: true } });
  });

  it("merges several -f files the way compose does: mappings key by key, ports appended", () => {
    const project = parseComposeProject([
      { file: "compose.yml", text: "services:\n  web:\n    image: a:1\n    ports: ['80:80']\n    environment: { A: '1' }\n" },
      { file: "compose.prod.yml", text: "services:\n  web:\n    image: a:2\n    ports: ['443:443']\n    environment: { B: '2' }\n" },
    ]);
    expect(project.files).toEqual(["compose.yml", "compose.prod.yml"]);
    expect(project.services[0]!.image).toBe("a:2");
    expect(project.services[0]!.ports.map((p) => p.target)).toEqual([80, 443]);
    expect(project.services[0]!.raw.environment).toEqual({ A: "1", B: "2" });
  });

  it("names the file and the problem for broken YAML and for a file without services", () => {
    expect(() => parseComposeProject([{ file: "compose.yml", text: "services: [\n" }])).toThrow(/compose.yml: YAML syntax/);
    expect(() => parseComposeProject([{ file: "c.yml", text: "version: '3'\n" }])).toThrow(/c.yml: has no services/);
  });
});
