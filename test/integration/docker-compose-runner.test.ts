import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComposeRunner } from "../../src/docker/compose-runner.js";
import { createDockerPort } from "../../src/docker/dockerode-port.js";
import { ComposeError, ComposeNotFoundError } from "../../src/docker/errors.js";
import type { ComposeTarget } from "../../src/docker/types.js";
import { waitForHealthy } from "../../src/docker/wait-healthy.js";
import { ensureTinyImage, removeTestResources, removeTinyImage, TINY_IMAGE } from "./docker-fixtures.js";

const APP_SERVICE = `
  app:
    image: ${TINY_IMAGE}
    command: ["/bin/dash", "-c", "echo app $APP_VERSION up; trap 'exit 0' TERM; while :; do sleep 0.1; done"]
    labels:
      bluegreen.color: green
      bluegreen.version: \${APP_VERSION}
    healthcheck:
      test: ["CMD", "/bin/dash", "-c", "true"]
      interval: 200ms
      retries: 2
`;
const SIDECAR_SERVICE = `
  sidecar:
    image: ${TINY_IMAGE}
    command: ["/bin/dash", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
`;

let dir = "";
const runner = createComposeRunner();
const port = createDockerPort();
const target = (project: string, files: string[], env: Record<string, string> = {}): ComposeTarget => ({
  project,
  files: files.map((f) => join(dir, f)),
  cwd: dir,
  env,
});
const timings: string[] = [];
async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await step();
  } finally {
    timings.push(`${label} ${Date.now() - t0} ms`);
  }
}
const names = async (project: string) => (await port.listProjectContainers(project)).map((c) => `${c.service}:${c.state}`).sort();

beforeAll(async () => {
  await removeTestResources();
  await ensureTinyImage();
  dir = await mkdtemp(join(tmpdir(), "bgt-h6-compose-"));
  await writeFile(join(dir, "app.yml"), `services:${APP_SERVICE}`);
  await writeFile(join(dir, "app-and-sidecar.yml"), `services:${APP_SERVICE}${SIDECAR_SERVICE}`);
  await writeFile(join(dir, "broken.yml"), "services:\n  app:\n    image: 12\n    no_such_key: true\n");
});

afterAll(async () => {
  console.log(`[figures] compose step durations: ${timings.join("; ")}`);
  await removeTestResources();
  await removeTinyImage();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("compose runner against the host's compose", () => {
  it("detects the compose variant this host has (v1 here) and caches it", async () => {
    const variant = await runner.variant();
    expect(["v1", "v2"]).toContain(variant);
    expect(runner.variant()).toBe(runner.variant());
  });

  it("says what to install when no compose exists", async () => {
    const none = createComposeRunner({ dockerBin: "/nonexistent/docker", composeV1Bin: "/nonexistent/docker-compose" });
    const err = await none.variant().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComposeNotFoundError);
    expect((err as Error).message).toContain("`/nonexistent/docker compose version` and `/nonexistent/docker-compose version`");
    expect((err as Error).message).toContain("What to do");
  });

  it("brings a project up with its env, streams output lines, stops and downs it", async () => {
    const t = target("bgt-h6-compose-a", ["app.yml"], { APP_VERSION: "v5" });
    const lines: string[] = [];
    await timed("up", () => runner.up(t, { recreate: true }, (line) => lines.push(line)));
    expect(lines.some((l) => /Creating|Created|Recreat|Starting|Started/.test(l))).toBe(true);
    const [app] = await port.listProjectContainers("bgt-h6-compose-a");
    expect(app).toMatchObject({ service: "app", color: "green", version: "v5", state: "running" });
    if (!app) throw new Error("no app container");
    await expect(waitForHealthy(port, [app.id], { timeoutMs: 10_000 })).resolves.toMatchObject({ healthy: [{ health: "healthy" }] });
    expect(await port.logs(app.id, 5)).toContain("app v5 up");

    await timed("stop -t 2", () => runner.stop(t, 2));
    expect(await names("bgt-h6-compose-a")).toEqual(["app:exited"]);
    await timed("down -v (stopped)", () => runner.down(t, { volumes: true }));
    expect(await names("bgt-h6-compose-a")).toEqual([]);
  });

  it("never touches other projects or this project's orphans", async () => {
    const a = target("bgt-h6-compose-a", ["app-and-sidecar.yml"], { APP_VERSION: "v1" });
    const b = target("bgt-h6-compose-b", ["app.yml"], { APP_VERSION: "v1" });
    await timed("up a (2 services)", () => runner.up(a));
    await timed("up b", () => runner.up(b));
    // Same project, a file without the sidecar: up must not remove it (no --remove-orphans).
    await timed("up a --force-recreate", () => runner.up(target("bgt-h6-compose-a", ["app.yml"], { APP_VERSION: "v2" }), { recreate: true }));
    expect(await names("bgt-h6-compose-a")).toEqual(["app:running", "sidecar:running"]);
    expect((await port.listProjectContainers("bgt-h6-compose-a")).find((c) => c.service === "app")?.version).toBe("v2");
    await timed("down a (running)", () => runner.down(a));
    expect(await names("bgt-h6-compose-a")).toEqual([]);
    expect(await names("bgt-h6-compose-b")).toEqual(["app:running"]);
    await runner.down(b);
  });

  it("fails with the command line, exit code and compose's own words", async () => {
    const err = await runner.up(target("bgt-h6-compose-c", ["broken.yml"])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComposeError);
    const e = err as ComposeError;
    expect(e.commandLine).toMatch(/docker(-compose| compose) -p bgt-h6-compose-c -f \S+broken\.yml up -d --no-deps$/);
    expect(e.exitCode).not.toBe(0);
    expect(e.lastLines.join("\n")).toMatch(/no_such_key|image/);
    expect(e.message).toContain("What to do");
  });
});
