// The swarm lab (scripts/swarm-lab.sh, docs/swarm-lab.md) on the real thing: three dockerd in
// network namespaces joined into one swarm, the demo deployed as stacks. Runs only through
// `npm run test:swarm` (vitest.swarm.config.ts), never in `npm test`: it needs root and minutes.
// Traffic goes only to the lab namespaces' addresses; HAProxy's runtime API is reached with
// `docker exec` on the engine of the node the replica runs on.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { backendTarget, CHECK_FAILED, isServing, parseServersState } from "../../src/proxy/haproxy-state.js";
import { startLabCounter } from "../helpers/lab-counter.js";

const execFileAsync = promisify(execFile);
const REPO = join(import.meta.dirname, "..", "..");
const PREFIX = process.env.BG_LAB_PREFIX ?? "bgl";
const LAB_DIR = process.env.BG_LAB_DIR ?? "/var/lib/bluegreen-lab";
const LAB_RUN = process.env.BG_LAB_RUN ?? "/run/bluegreen-lab";
const STACK = process.env.BG_LAB_STACK ?? "bluegreen-lab";
const LIVE_PORT = Number(process.env.BG_LAB_LIVE_PORT ?? 8080);
const PREVIEW_PORT = Number(process.env.BG_LAB_PREVIEW_PORT ?? 8081);

interface LabNode {
  name: string;
  /** The node's daemon socket, for the test's own docker CLI calls. */
  docker: string;
  /** How bluegreen reaches it (the config's swarm.nodes): the socket, ssh:// or tcp://. */
  api: string;
  address: string;
  role: "manager" | "worker";
}

interface LabConfig {
  platform: string;
  swarm: { manager: string; nodes: Record<string, string>; sshConfig: string };
}

async function run(file: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await execFileAsync(file, args, { cwd: REPO, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

function lab(args: string[], timeoutMs = 600_000): Promise<string> {
  return run("bash", ["scripts/swarm-lab.sh", ...args], timeoutMs);
}

const docker = (endpoint: string, args: string[], timeoutMs?: number) => run("docker", ["-H", endpoint, ...args], timeoutMs);

/** One command to the HAProxy runtime API of the proxy container `id`, through its node's engine. */
function haproxy(node: LabNode, id: string, command: string): Promise<string> {
  return docker(node.docker, ["exec", id, "sh", "-c", 'printf "%s\\n" "$1" | nc 127.0.0.1 9999', "sh", command], 20_000);
}

async function proxyContainer(node: LabNode): Promise<string> {
  const ids = (await docker(node.docker, ["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${STACK}_proxy`])).trim().split("\n").filter(Boolean);
  expect(ids, `proxy containers on ${node.name}'s engine`).toHaveLength(1);
  return ids[0] as string;
}

async function get(url: string): Promise<{ status: number; color: string | null; served: string | null }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  await response.arrayBuffer();
  return { status: response.status, color: response.headers.get("x-app-color"), served: response.headers.get("x-bluegreen-color") };
}

async function runningTasks(manager: string, service: string): Promise<{ node: string; state: string }[]> {
  const out = await docker(manager, ["service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Node}}\t{{.CurrentState}}"]);
  return out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [node = "", state = ""] = line.split("\t");
      return { node, state };
    });
}

// The request counter (test/helpers/lab-counter.ts), its own process: per address LOOPS keep-alive
// request loops back to back (the machine is shared and loaded: one loop alone answers only every
// 100-200 ms), until stopped or 120 s / 200 000 requests have passed.
const LOOPS = 4;
function labProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(LAB_RUN) || cmdline.includes(LAB_DIR)) found.push(`${pid}: ${cmdline.trim()}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe("swarm lab: three Docker engines in network namespaces, one swarm, the demo on it", () => {
  let printed: Record<string, string> = {};
  let nodes: LabNode[] = [];
  let manager = "";
  let downDone = false;

  beforeAll(async () => {
    // From nothing: these tests check what `up` builds and records, not what a lab left up became.
    await lab(["down"], 300_000);
    const t0 = Date.now();
    const out = await lab(["up"], 900_000);
    console.log(`swarm:up took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    printed = Object.fromEntries(
      out
        .split("\n")
        .map((line) => /^(live|preview|config): (.+)$/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1] as string, match[2] as string]),
    );
    const config = parse(readFileSync(printed.config as string, "utf8")) as LabConfig;
    expect(config.platform).toBe("swarm");
    nodes = JSON.parse(readFileSync(join(LAB_DIR, "nodes.json"), "utf8")) as LabNode[];
    manager = config.swarm.manager;
    // The config names each node's endpoint by hostname, as bluegreen reads it: one per kind of endpoint.
    expect(config.swarm.nodes).toEqual(Object.fromEntries(nodes.map((n) => [n.name, n.api])));
    expect(nodes.map((n) => n.api.split(":")[0])).toEqual(["unix", "ssh", "tcp"]);
    expect(config.swarm.sshConfig).toBe(join(LAB_DIR, "ssh", "ssh_config"));
  });

  afterAll(async () => {
    if (!downDone) await lab(["down"], 300_000);
  });

  it("prints the live and preview URLs on a lab address and the config file it wrote", () => {
    expect(printed.live).toBe(`http://${nodes[0]?.address}:${LIVE_PORT}/`);
    expect(printed.preview).toBe(`http://${nodes[0]?.address}:${PREVIEW_PORT}/`);
    expect(printed.config).toBe(join(LAB_DIR, "bluegreen.yml"));
    expect(nodes.map((node) => node.name)).toEqual([`${PREFIX}-node1`, `${PREFIX}-node2`, `${PREFIX}-node3`]);
  });

  it("serves each node's API where the config says: node2's over ssh, node3's over tcp, the same daemon as its socket", async () => {
    const idOf = (args: string[]) => run(args[0] as string, [...args.slice(1), "info", "--format", "{{.Swarm.NodeID}}"]).then((out) => out.trim());
    const [, node2, node3] = nodes as [LabNode, LabNode, LabNode];
    const ssh = ["ssh", "-F", join(LAB_DIR, "ssh", "ssh_config"), "-o", "BatchMode=yes", node2.api.replace("ssh://", ""), "docker"];
    expect(await idOf(ssh)).toBe(await idOf(["docker", "-H", node2.docker]));
    expect(await idOf(["docker", "-H", node3.api])).toBe(await idOf(["docker", "-H", node3.docker]));
    expect(await idOf(ssh)).not.toBe("");
  });

  it("joins the three engines into one swarm in which every node is Ready", async () => {
    const rows = (await docker(manager, ["node", "ls", "--format", "{{.Hostname}}\t{{.Status}}\t{{.ManagerStatus}}"])).trim().split("\n");
    const byName = new Map(rows.map((row) => row.split("\t")).map(([name = "", status = "", managerStatus = ""]) => [name, { status, managerStatus }]));
    expect([...byName.keys()].sort()).toEqual(nodes.map((node) => node.name).sort());
    for (const node of nodes) expect(byName.get(node.name)?.status, node.name).toBe("Ready");
    expect([...byName.values()].filter((row) => row.managerStatus === "Leader")).toHaveLength(1);
    // BG_LAB_MANAGERS=1: node1 manages, the others are workers; =3: all three manage.
    for (const node of nodes) expect(byName.get(node.name)?.managerStatus !== "", `${node.name} is a ${node.role}`).toBe(node.role === "manager");
    expect(nodes.filter((node) => node.role === "manager")).toHaveLength(Number(process.env.BG_LAB_MANAGERS ?? 1));
    // Each node's engine is its own: its API names itself as that swarm node.
    for (const node of nodes) expect((await docker(node.docker, ["info", "--format", "{{.Name}} {{.Swarm.LocalNodeState}}"])).trim()).toBe(`${node.name} active`);
  });

  it("answers on every node's namespace address: live from blue, preview from green", async () => {
    for (const node of nodes) {
      expect(await get(`http://${node.address}:${LIVE_PORT}/health`), `${node.name} live`).toEqual({ status: 200, color: "blue", served: "blue" });
      expect(await get(`http://${node.address}:${PREVIEW_PORT}/health`), `${node.name} preview`).toEqual({ status: 200, color: "green", served: "green" });
    }
  });

  it("runs 2 tasks of each color on 2 different nodes, and one proxy task on every node", async () => {
    for (const color of ["blue", "green"]) {
      const tasks = await runningTasks(manager, `${STACK}-${color}_app-${color}`);
      expect(tasks, color).toHaveLength(2);
      for (const task of tasks) expect(task.state, `${color} on ${task.node}`).toMatch(/^Running/);
      expect(new Set(tasks.map((task) => task.node)).size, `${color} nodes`).toBe(2);
    }
    const proxies = await runningTasks(manager, `${STACK}_proxy`);
    expect(proxies.map((task) => task.node).sort()).toEqual(nodes.map((node) => node.name).sort());
  });

  it("reaches each proxy replica's runtime API through the Docker API of the node it runs on, and only there", async () => {
    for (const node of nodes) {
      const id = await proxyContainer(node);
      const rows = parseServersState(await haproxy(node, id, "show servers state"));
      expect(backendTarget(rows, "live"), node.name).toBe("blue");
      expect(backendTarget(rows, "preview"), node.name).toBe("green");
      for (const other of nodes.filter((candidate) => candidate !== node)) {
        await expect(docker(other.docker, ["inspect", id]), `${node.name}'s proxy seen from ${other.name}`).rejects.toThrow();
      }
    }
  });

  it("moves every proxy replica's live route from blue to green by hand, with no failed request on any node", async () => {
    const urls = nodes.map((node) => `http://${node.address}:${LIVE_PORT}/`);
    const replicas = await Promise.all(nodes.map(async (node) => ({ node, id: await proxyContainer(node) })));
    const counter = startLabCounter(urls, { loops: LOOPS, paceMs: 0, maxMs: 120_000, maxRequests: 200_000 });
    await counter.ready;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const switchStart = Date.now();

    // 1. Enable green next to blue on every replica, and wait (bounded) until each reports it serving.
    for (const answer of await Promise.all(replicas.map(({ node, id }) => haproxy(node, id, "set server live/green state ready")))) expect(answer.trim()).toBe("");
    await Promise.all(
      replicas.map(async ({ node, id }) => {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const green = parseServersState(await haproxy(node, id, "show servers state live")).find((row) => row.server === "green");
          if (green && isServing(green) && green.checkResult !== CHECK_FAILED) return;
          if (Date.now() > deadline) throw new Error(`${node.name}: live/green not serving after 20 s: ${JSON.stringify(green)}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }),
    );
    // 2. Then blue out of service on every replica; 3. read each back.
    for (const answer of await Promise.all(replicas.map(({ node, id }) => haproxy(node, id, "set server live/blue state maint")))) expect(answer.trim()).toBe("");
    for (const { node, id } of replicas) expect(backendTarget(parseServersState(await haproxy(node, id, "show servers state live")), "live"), node.name).toBe("green");
    const switchDone = Date.now();
    console.log(`hand switch of ${replicas.length} replicas took ${switchDone - switchStart} ms`);

    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { summary } = await counter.stop();
    for (const url of urls) {
      const s = summary[url];
      expect(s, url).toBeDefined();
      if (!s) continue;
      console.log(
        `${url}: ${s.total} requests, ${s.failureCount} failed, longest time without an answer ${s.maxGapMs} ms ` +
          `(ending ${s.maxGapEnd - switchStart} ms after the switch began; it took ${switchDone - switchStart} ms)`,
      );
      expect(s.failures, url).toEqual([]);
      expect(s.failureCount, url).toBe(0);
      expect(s.total, url).toBeGreaterThan(50);
      const before = s.samples.filter(([start]) => start < switchStart);
      const after = s.samples.filter(([start]) => start > switchDone);
      expect(before.length, `${url} answers before the switch`).toBeGreaterThan(0);
      expect(after.length, `${url} answers after the switch`).toBeGreaterThan(0);
      expect(new Set(before.map(([, color]) => color)), url).toEqual(new Set(["blue"]));
      expect(new Set(after.map(([, color]) => color)), url).toEqual(new Set(["green"]));
    }
  });

  it("swarm:down leaves no namespace, link, engine process, mount or directory of the lab, and the host's Docker healthy", async () => {
    const t0 = Date.now();
    await lab(["down"], 300_000);
    downDone = true;
    console.log(`swarm:down took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect((await run("ip", ["netns", "list"])).split("\n").filter((line) => line.startsWith(`${PREFIX}-`))).toEqual([]);
    expect((await run("ip", ["-o", "link"])).split("\n").filter((line) => line.includes(`${PREFIX}-`))).toEqual([]);
    expect(labProcesses()).toEqual([]);
    expect(readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((line) => line.includes(LAB_DIR) || line.includes(LAB_RUN))).toEqual([]);
    expect(existsSync(LAB_DIR)).toBe(false);
    expect(existsSync(LAB_RUN)).toBe(false);
    expect((await run("docker", ["info", "--format", "{{.ServerVersion}}"])).trim()).not.toBe("");
  });
});
