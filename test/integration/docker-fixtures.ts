/**
 * Test fixtures for the Docker adapter's integration tests: a tiny image made from the host's own
 * dash/sleep binaries (no registry needed), labelled throwaway containers, and cleanup of
 * everything named bgt-h6-*.
 */
import { execFile, spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import Dockerode from "dockerode";

const run = promisify(execFile);
export const TINY_IMAGE = "bgt-h6/tiny:local";
export const PREFIX = "bgt-h6-";
export const docker = new Dockerode();

/** Host files the image needs: the binaries and what `ldd` says they load. */
async function rootfsFiles(binaries: string[]): Promise<string[]> {
  const files = new Set(binaries);
  for (const bin of binaries) {
    const { stdout } = await run("ldd", [bin]);
    for (const m of stdout.matchAll(/(\/\S+) \(0x/g)) if (m[1]) files.add(m[1]);
  }
  return [...files];
}

/** Imports TINY_IMAGE from host binaries when it does not exist yet. */
export async function ensureTinyImage(): Promise<void> {
  const existing = await docker.listImages({ filters: { reference: [TINY_IMAGE] } });
  if (existing.length > 0) return;
  const dir = await mkdtemp(join(tmpdir(), "bgt-h6-rootfs-"));
  try {
    const rootfs = join(dir, "rootfs");
    for (const file of await rootfsFiles(["/bin/dash", "/bin/sleep"])) {
      await mkdir(join(rootfs, dirname(file)), { recursive: true });
      await copyFile(file, join(rootfs, file)); // copyFile follows symlinks: real files in the image
    }
    await symlink("dash", join(rootfs, "bin/sh"));
    await mkdir(join(rootfs, "tmp"), { recursive: true });
    await new Promise<void>((resolve, reject) => {
      const tar = spawn("tar", ["-C", rootfs, "-c", "."], { stdio: ["ignore", "pipe", "inherit"] });
      const imp = spawn("docker", ["import", "-", TINY_IMAGE], { stdio: ["pipe", "ignore", "inherit"] });
      tar.stdout.pipe(imp.stdin);
      tar.on("error", reject);
      imp.on("error", reject);
      imp.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`docker import exited ${code}`))));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface TestContainerSpec {
  name: string;
  project: string;
  service?: string;
  color?: "blue" | "green";
  version?: string;
  env?: string[];
  /** Shell script run by dash as the main process. */
  script?: string;
  /** Health check command (dash script); none when undefined. */
  health?: string;
  start?: boolean;
}

/**
 * The default main process: prints a line on stdout and one on stderr, then runs until SIGTERM,
 * exiting with code 4 when /tmp/die appears (to simulate a crash on demand).
 */
export const DEFAULT_SCRIPT =
  "echo started; echo warming up >&2; trap 'exit 0' TERM; while :; do [ -f /tmp/die ] && exit 4; sleep 0.1; done";

/** The health check: healthy once /tmp/healthy exists, with an explanatory output before that. */
export const FILE_HEALTH = "test -f /tmp/healthy || { echo not ready yet: /tmp/healthy missing; exit 1; }";

export async function createTestContainer(spec: TestContainerSpec): Promise<Dockerode.Container> {
  const labels: Record<string, string> = {
    "com.docker.compose.project": spec.project,
    "com.docker.compose.service": spec.service ?? "app",
  };
  if (spec.color) labels["bluegreen.color"] = spec.color;
  if (spec.version) labels["bluegreen.version"] = spec.version;
  const container = await docker.createContainer({
    name: spec.name,
    Image: TINY_IMAGE,
    Cmd: ["/bin/dash", "-c", spec.script ?? DEFAULT_SCRIPT],
    Env: spec.env ?? [],
    Labels: labels,
    ...(spec.health
      ? {
          Healthcheck: {
            Test: ["CMD", "/bin/dash", "-c", spec.health],
            Interval: 200_000_000,
            Timeout: 2_000_000_000,
            Retries: 2,
            StartPeriod: 0,
          },
        }
      : {}),
    HostConfig: { NetworkMode: "none" },
  });
  if (spec.start !== false) await container.start();
  return container;
}

/** Removes every container and network named bgt-h6-* (and of a bgt-h6-* compose project). */
export async function removeTestResources(): Promise<void> {
  const containers = await docker.listContainers({ all: true });
  for (const c of containers) {
    const project = c.Labels?.["com.docker.compose.project"] ?? "";
    if (project.startsWith(PREFIX) || c.Names.some((n) => n.startsWith(`/${PREFIX}`))) {
      await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
  }
  const networks = await docker.listNetworks();
  for (const n of networks) {
    if (n.Name.startsWith(PREFIX)) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  }
}

export async function removeTinyImage(): Promise<void> {
  await docker.getImage(TINY_IMAGE).remove({ force: true }).catch(() => undefined);
}

/** Waits (bounded) until `check` passes. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < end; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
