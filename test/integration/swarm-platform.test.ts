// The swarm platform adapter (src/platform/swarm/) on the real swarm lab (docs/swarm-lab.md): three
// Docker engines in network namespaces. Runs only through `npm run test:swarm` (root, minutes).
// Only the green stack is changed (deployed, stopped, started, removed, then put back as the lab
// had it); blue and the shared stack (the proxy routes live traffic to blue) are only read. Test
// traffic goes to the lab nodes' own addresses only, never to container addresses.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parse } from "yaml";
import type { ContainerInfo, DockerEvent } from "../../src/docker/types.js";
import type { Platform } from "../../src/engine/ports.js";
import { createSwarmPlatform, type SwarmSettings } from "../../src/platform/swarm/index.js";

const execFileAsync = promisify(execFile);
const REPO = join(import.meta.dirname, "..", "..");
const LAB_DIR = process.env.BG_LAB_DIR ?? "/var/lib/bluegreen-lab";
const STACK = process.env.BG_LAB_STACK ?? "bluegreen-lab";
const PREVIEW_PORT = Number(process.env.BG_LAB_PREVIEW_PORT ?? 8081);
const CONFIG = join(LAB_DIR, "bluegreen.yml");
/** The lab's facts per node (name, endpoint, address, role), beside the bluegreen config it writes. */
const NODES = join(LAB_DIR, "nodes.json");
const TEST_VERSION = "swtest";

interface LabConfig {
  swarm: { manager: string; nodes: { name: string; docker: string; address: string }[] };
  compose: { shared: string; blue: string; green: string };
  env: Record<string, string>;
}

async function run(file: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await execFileAsync(file, args, { cwd: REPO, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
const docker = (endpoint: string, args: string[]) => run("docker", ["-H", endpoint, ...args]);

async function labIsUp(): Promise<boolean> {
  if (!existsSync(CONFIG)) return false;
  const status = await run("bash", ["scripts/swarm-lab.sh", "status"]).catch(() => "");
  return /node1: engine up .* swarm active/.test(status);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(what: string, fn: () => Promise<T>, figures: Record<string, string>): Promise<T> {
  const t0 = Date.now();
  const value = await fn();
  figures[what] = seconds(Date.now() - t0);
  console.log(`${what} took ${figures[what]}`);
  return value;
}

function running(list: ContainerInfo[]): ContainerInfo[] {
  return list.filter((c) => c.state === "running");
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe("swarm platform adapter on the lab's three-node swarm", () => {
  let wasUp = false;
  let lab: LabConfig;
  let settings: SwarmSettings;
  let platform: Platform;
  const figures: Record<string, string> = {};
  const green = `${STACK}-green`;
  const healthOpts = { timeoutMs: 180_000, intervalMs: 1000 };

  beforeAll(async () => {
    wasUp = await labIsUp();
    if (!wasUp) await run("bash", ["scripts/swarm-lab.sh", "up"], 900_000);
    const written = parse(readFileSync(CONFIG, "utf8")) as Omit<LabConfig, "swarm"> & { swarm: { manager: string } };
    lab = { ...written, swarm: { manager: written.swarm.manager, nodes: JSON.parse(readFileSync(NODES, "utf8")) as LabConfig["swarm"]["nodes"] } };
    settings = {
      stack: STACK,
      files: { shared: [lab.compose.shared], blue: [lab.compose.blue], green: [lab.compose.green] },
      cwd: REPO,
      env: { ...lab.env, BG_STACK: STACK },
      manager: lab.swarm.manager,
      nodes: Object.fromEntries(lab.swarm.nodes.map((n) => [n.name, n.docker])),
    };
    platform = createSwarmPlatform(settings);
    // The test's release: the lab's app image under a tag only the manager has, so build() must place it.
    await docker(lab.swarm.manager, ["tag", `${lab.env.BG_IMAGE_NS}/app:v1`, `${lab.env.BG_IMAGE_NS}/app:${TEST_VERSION}`]);
    for (const node of lab.swarm.nodes.slice(1)) await docker(node.docker, ["rmi", "--no-prune", `${lab.env.BG_IMAGE_NS}/app:${TEST_VERSION}`]).catch(() => "");
  });

  afterAll(async () => {
    console.log(`figures: ${JSON.stringify(figures)}`);
    if (!platform) return;
    if (wasUp) {
      // Put green back as the lab deployed it (v1, preview route answers from it).
      await platform.start("green", {}).catch((err: unknown) => console.error(`restoring green failed: ${String(err)}`));
      for (const node of lab.swarm.nodes) await docker(node.docker, ["rmi", "--no-prune", `${lab.env.BG_IMAGE_NS}/app:${TEST_VERSION}`]).catch(() => "");
    } else await run("bash", ["scripts/swarm-lab.sh", "down"], 300_000);
  });

  it("pings the manager and reads blue and the shared services with their nodes (reading only)", async () => {
    await platform.ping();
    const all = await platform.listAll();
    expect(running(all.blue).map((c) => c.service)).toEqual(["app-blue", "app-blue"]);
    expect(all.blue.every((c) => c.project === `${STACK}-blue` && c.color === "blue" && c.version === "v1")).toBe(true);
    const proxies = all.shared.filter((c) => c.service === "proxy");
    expect(proxies.map((c) => c.node).sort()).toEqual(lab.swarm.nodes.map((n) => n.name).sort());
    expect(all.shared.find((c) => c.service === "redis")?.health).toBe("healthy");
  });

  it("refuses a worker's endpoint as the manager, saying what to do", async () => {
    const worker = createSwarmPlatform({ ...settings, manager: lab.swarm.nodes[2]?.docker ?? "" });
    await expect(worker.ping()).rejects.toThrow(/not a swarm manager.*What to do/s);
  });

  it("build places the release's image on every node that lacks it", async () => {
    const image = `${lab.env.BG_IMAGE_NS}/app:${TEST_VERSION}`;
    await expect(docker(lab.swarm.nodes[1]?.docker ?? "", ["image", "inspect", image])).rejects.toThrow();
    const lines: string[] = [];
    await timed("build (image copied to 2 nodes)", () => platform.build("green", { env: { APP_VERSION: TEST_VERSION }, onLine: (l) => lines.push(l) }), figures);
    const managerId = (await docker(lab.swarm.manager, ["image", "inspect", "-f", "{{.Id}}", image])).trim();
    for (const node of lab.swarm.nodes) expect((await docker(node.docker, ["image", "inspect", "-f", "{{.Id}}", image])).trim(), node.name).toBe(managerId);
    expect(lines.filter((l) => l.includes("copying to"))).toHaveLength(2);
  });

  it("build builds a service with a build: section on the manager's engine and places the image on the other nodes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bg-swarm-build-"));
    try {
      writeFileSync(join(dir, "Dockerfile"), `FROM ${lab.env.BG_IMAGE_NS}/app:v1\nLABEL bluegreen.test=swarm-build\n`);
      writeFileSync(join(dir, "green.yml"), `version: "3.8"\nservices:\n  app-green:\n    image: bluegreen-test/built:\${APP_VERSION:-x}\n    build: { context: . }\n`);
      const builder = createSwarmPlatform({ ...settings, files: { ...settings.files, green: [join(dir, "green.yml")] }, cwd: dir });
      await timed("build (compose build on the manager + 2 copies)", () => builder.build("green", { env: { APP_VERSION: "b1" } }), figures);
      for (const node of lab.swarm.nodes) expect((await docker(node.docker, ["image", "inspect", "-f", '{{index .Config.Labels "bluegreen.test"}}', "bluegreen-test/built:b1"])).trim(), node.name).toBe("swarm-build");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      for (const node of lab.swarm.nodes) await docker(node.docker, ["rmi", "bluegreen-test/built:b1"]).catch(() => "");
    }
  });

  it("start deploys green's new release; waitHealthy gates on it; list shows 2 healthy tasks on 2 nodes", async () => {
    const lines: string[] = [];
    await timed("start green (deploy + rollout of 2 tasks)", () => platform.start("green", { env: { APP_VERSION: TEST_VERSION }, onLine: (l) => lines.push(l) }), figures);
    expect(lines.join("\n")).toMatch(/Updating service|Creating service/);
    const tasks = running(await platform.list("green"));
    // start resolves once the tasks are of the new spec: never the old release still running.
    expect(tasks.map((c) => c.version)).toEqual([TEST_VERSION, TEST_VERSION]);
    await timed("waitHealthy green", () => platform.waitHealthy(tasks.map((c) => c.id), healthOpts), figures);
    const after = await platform.list("green");
    expect(after).toHaveLength(2);
    for (const c of after) {
      expect(c).toMatchObject({ project: green, service: "app-green", color: "green", version: TEST_VERSION, state: "running", health: "healthy" });
      expect(c.id).toMatch(/^[0-9a-f]{64}$/);
      expect(c.name).toMatch(new RegExp(`^${green}_app-green\\.[12]\\.`));
    }
    const nodes = after.map((c) => c.node);
    expect(new Set(nodes).size).toBe(2);
    for (const n of nodes) expect(lab.swarm.nodes.map((x) => x.name)).toContain(n);
    // Each task's container is there on its own node's engine, and only there.
    for (const c of after) {
      const own = lab.swarm.nodes.find((n) => n.name === c.node);
      expect((await docker(own?.docker ?? "", ["inspect", "-f", "{{.State.Health.Status}}", c.id])).trim()).toBe("healthy");
    }
    expect(await platform.logs(after[0]?.id ?? "", 50)).toMatch(/listening|3000/i);
  });

  it("start with recreate replaces every task; an abort stops the wait at once and a later start finishes the rollout", async () => {
    const before = running(await platform.list("green")).map((c) => c.id);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1500);
    const t0 = Date.now();
    await expect(platform.start("green", { env: { APP_VERSION: TEST_VERSION }, recreate: true, signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(Date.now() - t0).toBeLessThan(5_000);
    await timed("start green (finishing a forced rollout)", () => platform.start("green", { env: { APP_VERSION: TEST_VERSION } }), figures);
    const after = running(await platform.list("green"));
    expect(after).toHaveLength(2);
    for (const c of after) expect(before).not.toContain(c.id);
    await platform.waitHealthy(after.map((c) => c.id), healthOpts);
  });

  it("start of a release whose image no node has fails fast with the rejected task's reason; a good start recovers", async () => {
    const t0 = Date.now();
    const error = await platform.start("green", { env: { APP_VERSION: "no-such-version" } }).then(() => null, (err: unknown) => err as Error);
    figures["start with a missing image, until it fails"] = seconds(Date.now() - t0);
    expect(error?.message).toMatch(/Stack bluegreen-lab-green was deployed, but its new tasks do not run: .*app-green\.\d\.\w+ on bgl-node\d rejected: .*no-such-version/s);
    expect(error?.message).toContain("What to do:");
    await timed("start green (recovering from the bad release)", () => platform.start("green", { env: { APP_VERSION: TEST_VERSION } }), figures);
    const back = running(await platform.list("green"));
    expect(back.map((c) => c.version)).toEqual([TEST_VERSION, TEST_VERSION]);
    await platform.waitHealthy(back.map((c) => c.id), healthOpts);
  });

  it("serviceFacts reads the color's files: healthcheck and stop_grace_period", async () => {
    expect(await platform.serviceFacts("green")).toEqual({ "app-green": { healthcheck: "declared", stopGracePeriodMs: 40_000 } });
  });

  it("connections counts WebSocket connections held open through each node's preview route", async () => {
    const tasks = running(await platform.list("green"));
    const sockets = await Promise.all(
      lab.swarm.nodes.map(
        (n) =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`ws://${n.address}:${PREVIEW_PORT}/ws`);
            ws.once("message", () => resolve(ws));
            ws.once("error", reject);
          }),
      ),
    );
    try {
      const open = await platform.connections(tasks, 3000);
      expect(open).toBeGreaterThanOrEqual(sockets.length);
    } finally {
      for (const ws of sockets) ws.close();
    }
    // HAProxy's checks open short connections of their own: closed, the count falls below what was held.
    await until("connections below 3 after closing", async () => (await platform.connections(tasks, 3000)) < sockets.length, 20_000);
  });

  it("watch reports a green task's container killed on its node; waitHealthy on it then fails with the task's reason", async () => {
    const tasks = running(await platform.list("green"));
    const victim = tasks[0] as ContainerInfo;
    const events: DockerEvent[] = [];
    let connected = false;
    const sub = platform.watch(["green"], (e) => events.push(e), (s) => {
      if (s.state === "connected") connected = true;
    });
    try {
      await until("watch connected", async () => connected, 20_000);
      await docker(lab.swarm.nodes.find((n) => n.name === victim.node)?.docker ?? "", ["kill", victim.id]);
      const died = await until("a die event of the killed container", async () => events.find((e) => e.containerId === victim.id && e.action === "die"), 30_000);
      expect(died).toMatchObject({ project: green, service: "app-green", color: "green" });
      expect(events.every((e) => e.project === green)).toBe(true);
    } finally {
      sub.close();
    }
    await expect(platform.waitHealthy([victim.id], { timeoutMs: 30_000, intervalMs: 500 })).rejects.toThrow(/did not become healthy: its task (failed|ended)|Swarm is shutting its task down/);
    // Swarm replaces it: wait for the replacement, healthy, before the next tests.
    const replaced = await until("2 running green tasks again", async () => {
      const now = running(await platform.list("green"));
      return now.length === 2 && !now.some((c) => c.id === victim.id) ? now : null;
    }, 120_000);
    await platform.waitHealthy(replaced.map((c) => c.id), healthOpts);
  });

  it("runOnce runs a replicated-job of green's service and returns its exit code and output; a timeout removes it", async () => {
    const seen: string[] = [];
    const result = await timed(
      "runOnce (job to exit)",
      () => platform.runOnce("green", "app-green", ["node", "-e", "console.log('job says ' + process.env.APP_VERSION); console.error('to stderr'); process.exit(3)"], { env: { APP_VERSION: TEST_VERSION }, timeoutMs: 120_000, onLine: (l) => seen.push(l) }),
      figures,
    );
    expect(result).toMatchObject({ exitCode: 3, timedOut: false, aborted: false });
    expect(result.lines).toContain(`job says ${TEST_VERSION}`);
    expect(result.lines).toContain("to stderr");
    expect(seen).toContain(`job says ${TEST_VERSION}`);
    const slow = await platform.runOnce("green", "app-green", ["sleep", "600"], { timeoutMs: 4_000 });
    expect(slow).toMatchObject({ exitCode: null, timedOut: true });
    const left = await docker(lab.swarm.manager, ["service", "ls", "--format", "{{.Name}}"]);
    expect(left.split("\n").filter((n) => n.includes("-run-"))).toEqual([]);
  });

  it("stop scales green to 0 (nothing runs, still defined); start brings it back", async () => {
    await timed("stop green (2 tasks)", () => platform.stop("green", 10_000), figures);
    const stopped = await platform.list("green");
    expect(running(stopped)).toEqual([]);
    expect(stopped.map((c) => ({ state: c.state, service: c.service, version: c.version }))).toEqual([{ state: "exited", service: "app-green", version: TEST_VERSION }]);
    expect((await docker(lab.swarm.manager, ["service", "ls", "--filter", `label=com.docker.stack.namespace=${green}`, "--format", "{{.Replicas}}"])).trim()).toMatch(/^0\/0\b/);
    for (const node of lab.swarm.nodes) expect((await docker(node.docker, ["ps", "-q", "--filter", `label=com.docker.stack.namespace=${green}`])).trim(), node.name).toBe("");

    await timed("start green again (from 0)", () => platform.start("green", { env: { APP_VERSION: TEST_VERSION } }), figures);
    const back = running(await platform.list("green"));
    expect(back).toHaveLength(2);
    // Just created: no health check has run yet (interval 2 s), so a short wait times out, saying on what.
    await expect(platform.waitHealthy(back.map((c) => c.id), { timeoutMs: 300, intervalMs: 100 })).rejects.toThrow(/Timed out after 0\.3s waiting for .*app-green.* on bgl-node\d.*task starting/s);
    await platform.waitHealthy(back.map((c) => c.id), healthOpts);
    expect(new Set((await platform.list("green")).map((c) => c.health))).toEqual(new Set(["healthy"]));
  });

  it("remove takes green's stack away entirely; blue and the shared services are untouched", async () => {
    const blueBefore = (await platform.list("blue")).map((c) => c.id).sort();
    await timed("remove green", () => platform.remove("green"), figures);
    expect(await platform.list("green")).toEqual([]);
    const label = `label=com.docker.stack.namespace=${green}`;
    expect((await docker(lab.swarm.manager, ["service", "ls", "-q", "--filter", label])).trim()).toBe("");
    expect((await docker(lab.swarm.manager, ["network", "ls", "-q", "--filter", label])).trim()).toBe("");
    for (const node of lab.swarm.nodes) expect((await docker(node.docker, ["ps", "-aq", "--filter", label])).trim(), node.name).toBe("");
    expect((await platform.list("blue")).map((c) => c.id).sort()).toEqual(blueBefore);
    await platform.remove("green"); // nothing left: a no-op
  });
});
