// The real CLI (bin/bluegreen.cjs, as an operator runs it) on the swarm lab (docs/swarm-lab.md):
// three Docker engines in network namespaces, each color a stack of 2 app tasks, an HAProxy replica
// on every node switched as one. Runs only through `npm run test:swarm` (root, minutes); build first
// (`npm run build`) so the bundle is current.
// - deploy v2 and rollback under load, counted by a process independent of bluegreen on every
//   node's live URL: nothing lost, no long stall, only the new color once the CLI reported the switch;
// - one replica's live route flipped by hand: status reports the disagreement, resolve settles it;
// - one replica paused (its runtime API does not answer): a switch changes nothing on any replica;
// - one node's engine stopped mid-deploy: the deploy ends safe (or on the rest) and names the node;
//   drained, the node no longer holds a deploy up; back, its replica's old routing is a conflict.
// It leaves the lab as it found it (up with blue live and green warm, or down). Test traffic goes
// only to the lab nodes' own addresses (10.231.77.x), never to container addresses.
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendTarget, parseServersState } from "../../src/proxy/haproxy-state.js";
import { startLabCounter, type CounterSummary, type UrlCount } from "../helpers/lab-counter.js";

const execFileAsync = promisify(execFile);
const REPO = join(import.meta.dirname, "..", "..");
const CLI = join(REPO, "bin", "bluegreen.cjs");
const LAB_DIR = process.env.BG_LAB_DIR ?? "/var/lib/bluegreen-lab";
const STACK = process.env.BG_LAB_STACK ?? "bluegreen-lab";
const LIVE_PORT = Number(process.env.BG_LAB_LIVE_PORT ?? 8080);
const CONFIG = join(LAB_DIR, "bluegreen.yml");
/** The lab's facts per node (name, endpoint, address, role), beside the config it writes. */
const NODES = join(LAB_DIR, "nodes.json");
const NEW_VERSION = "v2";

interface LabNode {
  name: string;
  docker: string;
  address: string;
  role: "manager" | "worker";
}

type Color = "blue" | "green";

interface Phase {
  phase: string;
  status: string;
  ms: number;
}

interface OperationResult {
  operation: string;
  outcome: string;
  message: string;
  active: Color | null;
  phases: Phase[];
  durationMs: number;
  stateNow?: string;
  nextStep?: string;
  degraded?: string[];
}

interface StatusJson {
  active: Color | null;
  proxy: { target: Color | null; replicas?: { node: string; live: Color | null; preview: Color | null; error?: string }[] };
  slots: Record<Color, { running: boolean; healthy: boolean; version: string | null }>;
  state: { active: Color | null; previous: Color | null; warm: boolean } | null;
  conflicts: { kind: string; message: string }[];
  degraded: string[];
}

async function run(file: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await execFileAsync(file, args, { cwd: REPO, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
const docker = (endpoint: string, args: string[], timeoutMs = 60_000) => run("docker", ["-H", endpoint, ...args], timeoutMs);

async function labIsUp(): Promise<boolean> {
  if (!existsSync(CONFIG) || !existsSync(NODES)) return false;
  const status = await run("bash", ["scripts/swarm-lab.sh", "status"]).catch(() => "");
  return /node1: engine up .* swarm active/.test(status);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When the CLI was spawned and when it exited (this process's clock, the counter's too). */
  spawnedAt: number;
  exitedAt: number;
  /** Each stdout line with the time it reached this process. */
  lines: { at: number; text: string }[];
}

/** The real CLI against the lab's config, killed after `timeoutMs`; `onLine` sees each stdout line as it comes. */
function cli(args: string[], timeoutMs = 300_000, onLine?: (text: string) => void): Promise<CliRun> {
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [CLI, "-c", CONFIG, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  const lines: CliRun["lines"] = [];
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => (stdout += d));
  createInterface({ input: child.stdout }).on("line", (text) => {
    lines.push({ at: Date.now(), text });
    onLine?.(text);
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, spawnedAt, exitedAt: Date.now(), lines });
    });
  });
}

/** An operation with --json --yes: the last stdout line is its result. */
async function op(args: string[], timeoutMs?: number, onLine?: (text: string) => void): Promise<CliRun & { result: OperationResult; tail: string }> {
  const r = await cli([...args, "--json", "--yes"], timeoutMs, onLine);
  const tail = `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`;
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  let result: OperationResult;
  try {
    result = JSON.parse(last) as OperationResult;
  } catch {
    throw new Error(`bluegreen ${args.join(" ")} printed no result line: ${tail}`);
  }
  return { ...r, result, tail };
}

/** `status --json` (one JSON document; exit 0, or 3 with conflicts). */
async function status(): Promise<{ code: number | null; status: StatusJson; raw: string }> {
  const r = await cli(["status", "--json"], 60_000);
  try {
    return { code: r.code, status: JSON.parse(r.stdout) as StatusJson, raw: r.stdout };
  } catch {
    throw new Error(`bluegreen status --json printed no JSON (exit ${r.code}): ${r.stdout.slice(-2000)} ${r.stderr.slice(-2000)}`);
  }
}

/** The time when the CLI's `{"type":"phase","phase":P,"status":S}` line reached this process. */
function lineAt(r: CliRun, phase: string, phaseStatus: string): number | undefined {
  return r.lines.find((l) => {
    try {
      const e = JSON.parse(l.text) as { type?: string; phase?: string; status?: string };
      return e.type === "phase" && e.phase === phase && e.status === phaseStatus;
    } catch {
      return false;
    }
  })?.at;
}

/**
 * The earliest moment the operation's switch can have begun: its process started after the spawn,
 * and the phases before the switch ran one after another for at least their own durations.
 */
function switchNotBefore(r: CliRun & { result: OperationResult }): number {
  const index = r.result.phases.findIndex((p) => p.phase === "switch");
  return r.spawnedAt + r.result.phases.slice(0, Math.max(index, 0)).reduce((sum, p) => sum + p.ms, 0);
}

interface Answer {
  status: number;
  color: string | null;
  version: string | null;
}

async function get(url: string): Promise<Answer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  await response.arrayBuffer();
  return { status: response.status, color: response.headers.get("x-app-color"), version: response.headers.get("x-app-version") };
}

/** `count` requests one after another to the node's live URL: every distinct answer (status color version). */
async function answers(node: LabNode, count: number): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const a = await get(`http://${node.address}:${LIVE_PORT}/`).catch((err: unknown) => ({ status: 0, color: String(err), version: null }));
    seen.add(`${a.status} ${a.color} ${a.version}`);
  }
  return [...seen].sort();
}

async function proxyContainer(node: LabNode): Promise<string> {
  const ids = (await docker(node.docker, ["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${STACK}_proxy`])).trim().split("\n").filter(Boolean);
  expect(ids, `proxy containers on ${node.name}'s engine`).toHaveLength(1);
  return ids[0] as string;
}

/** One command to the HAProxy runtime API of a proxy replica, through its node's engine (not through bluegreen). */
function haproxy(node: LabNode, id: string, command: string): Promise<string> {
  return docker(node.docker, ["exec", id, "sh", "-c", 'printf "%s\\n" "$1" | nc 127.0.0.1 9999', "sh", command], 20_000);
}

async function liveTargetByHand(node: LabNode): Promise<Color | null> {
  return backendTarget(parseServersState(await haproxy(node, await proxyContainer(node), "show servers state live")), "live");
}

// The request counter (test/helpers/lab-counter.ts): per URL LOOPS keep-alive request loops, each
// starting a request at most every PACE_MS (so the counter cannot eat the 2-core machine: at most
// LOOPS * 1000 / PACE_MS = 240 requests a second per URL, while a gap of 50 ms is still seen),
// until stopped, 180 s or 100 000 requests per URL.
const LOOPS = 6;
const PACE_MS = 25;
/** `fn` under the counter's load: 1 s of it before, 1 s after; the counter is stopped whatever happens. */
async function underLoad<T>(urls: string[], fn: () => Promise<T>): Promise<{ value: T; summary: CounterSummary; seconds: number }> {
  const counter = startLabCounter(urls, { loops: LOOPS, paceMs: PACE_MS, maxMs: 180_000, maxRequests: 100_000 });
  try {
    await counter.ready;
    await sleep(1000);
    const value = await fn();
    await sleep(1000);
    return { value, ...(await counter.stop()) };
  } catch (err) {
    await counter.stop().catch(() => undefined);
    throw err;
  }
}

// Bounds on what the counter saw, fixed:
// - at least MIN_RATE requests a second per URL over the whole run: completions at least every
//   50 ms on average, so a stall of a few hundred ms stands out from the loop's own cadence;
// - MAX_GAP_MS without any completed request on a URL. A HAProxy switch through its runtime API
//   closes no connection and holds no request, so a gap is only the machine's: docs/swarm-lab.md
//   measured 0.6-2.2 s on this 2-core host at load average 20-35 (4 back-to-back loops), ~60 ms
//   when it is quiet. 3 s stays above that worst figure and below the 5 s per-request timeout, so
//   a proxy that stops answering for longer fails the test even when no request errors.
const MIN_RATE = 20;
const MAX_GAP_MS = 3000;

function checkCount(summary: CounterSummary, seconds: number, urls: string[], label: string): void {
  for (const url of urls) {
    const s = summary[url];
    expect(s, url).toBeDefined();
    if (!s) continue;
    console.log(`FIGURE ${JSON.stringify({ scenario: `swarm-cli ${label} counter`, url, requests: s.total, failed: s.failureCount, maxGapMs: s.maxGapMs, perSecond: Math.round(s.total / seconds), seconds: Math.round(seconds) })}`);
    expect(s.failures, `${label}: failed requests on ${url}`).toEqual([]);
    expect(s.failureCount, `${label}: failures on ${url}`).toBe(0);
    expect(s.total, `${label}: requests on ${url} in ${seconds.toFixed(1)} s`).toBeGreaterThanOrEqual(Math.ceil(MIN_RATE * seconds));
    expect(s.maxGapMs, `${label}: longest time without an answer on ${url}`).toBeLessThan(MAX_GAP_MS);
  }
}

/** The distinct [color, version] of the counter's answers to `url` whose request started within [from, to). */
function colorsBetween(s: UrlCount | undefined, from: number, to: number): { count: number; seen: string[] } {
  const inside = (s?.samples ?? []).filter(([start]) => start >= from && start < to);
  return { count: inside.length, seen: [...new Set(inside.map(([, color, version]) => `${color} ${version}`))].sort() };
}

describe("the bluegreen CLI on the swarm lab: three nodes, a proxy replica on each", () => {
  let wasUp = false;
  let nodes: LabNode[] = [];
  let urls: string[] = [];
  let pausedProxy: { node: LabNode; id: string } | null = null;
  let stoppedNode: LabNode | null = null;
  let drainedNode: LabNode | null = null;
  let blueVersion = "";

  const node = (n: number) => nodes[n - 1] as LabNode;

  /**
   * Brings the lab to blue live and recorded with no conflict (and green running warm when asked),
   * through the CLI only. Bounded: at most 6 operations.
   */
  async function settle(greenWarm: boolean): Promise<StatusJson> {
    const done: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { status: s } = await status();
      let next: string[] | null = null;
      if (s.conflicts.length > 0) next = ["resolve", "--keep", "blue"];
      else if (s.proxy.target !== "blue") next = s.slots.blue.healthy ? ["switch"] : ["rollback"];
      else if (greenWarm && !(s.slots.green.running && s.slots.green.healthy && s.state?.warm === true && s.state.active === "blue")) next = ["rollback"]; // to green (started), then switch back
      if (!next) return s;
      const r = await op(next);
      done.push(`${next.join(" ")}: ${r.result.outcome}`);
      if (r.result.outcome !== "success") throw new Error(`settling the lab: bluegreen ${next.join(" ")} → ${r.result.outcome}: ${r.result.message}`);
    }
    throw new Error(`the lab did not settle on blue live${greenWarm ? " with green warm" : ""} in 6 operations (${done.join("; ")})`);
  }

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    await run("docker", ["info", "--format", "{{.ServerVersion}}"], 30_000).catch(() => run("bash", ["scripts/ensure-docker.sh"], 600_000));
    wasUp = await labIsUp();
    if (!wasUp) {
      const t0 = Date.now();
      await run("bash", ["scripts/swarm-lab.sh", "up"], 900_000);
      console.log(`swarm:up took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    nodes = JSON.parse(readFileSync(NODES, "utf8")) as LabNode[];
    expect(nodes.map((n) => n.name)).toEqual(["bgl-node1", "bgl-node2", "bgl-node3"]);
    for (const n of nodes) expect(n.address, n.name).toMatch(/^10\.231\.77\.\d+$/);
    urls = nodes.map((n) => `http://${n.address}:${LIVE_PORT}/`);
    const s = await settle(false);
    blueVersion = s.slots.blue.version ?? "";
    expect(blueVersion, "blue's version").not.toBe("");
    expect(blueVersion, "blue must not already run the version this test deploys").not.toBe(NEW_VERSION);
  });

  afterAll(async () => {
    if (pausedProxy) await docker(pausedProxy.node.docker, ["unpause", pausedProxy.id]).catch((err: unknown) => console.error(`unpausing ${pausedProxy?.node.name}'s proxy: ${String(err)}`));
    if (drainedNode) await docker(node(1).docker, ["node", "update", "--availability", "active", drainedNode.name]).catch((err: unknown) => console.error(`making ${drainedNode?.name} active again: ${String(err)}`));
    if (stoppedNode) await startNode(stoppedNode).then(whole).catch((err: unknown) => console.error(`starting ${stoppedNode?.name}'s engine again: ${String(err)}`));
    if (wasUp) {
      if (nodes.length === 0) return;
      // As the lab records it: blue live, green running warm.
      const s = await settle(true).catch((err: unknown) => {
        console.error(`leaving the lab as it was failed: ${String(err)}`);
        return null;
      });
      if (s) console.log(`lab left with blue ${s.slots.blue.version} live, green ${s.slots.green.version} warm`);
    } else await run("bash", ["scripts/swarm-lab.sh", "down"], 300_000);
  });

  it(`deploys ${NEW_VERSION} to green under load on every node's live URL: nothing lost, only green ${NEW_VERSION} once the switch was reported`, async () => {
    for (const n of nodes) expect(await answers(n, 10), `${n.name} before the deploy`).toEqual([`200 blue ${blueVersion}`]);

    const { value: r, summary, seconds } = await underLoad(urls, () => op(["deploy", "--version", NEW_VERSION], 300_000));

    expect(r.result.outcome, r.tail).toBe("success");
    expect(r.code, r.tail).toBe(0);
    expect(r.result.active).toBe("green");
    const phase = (name: string) => r.result.phases.find((p) => p.phase === name);
    expect(phase("switch")?.status, r.tail).toBe("ok");
    const switchOkSeen = lineAt(r, "switch", "ok");
    expect(switchOkSeen, "the switch's ok event on stdout").toBeDefined();
    const switchBegan = switchNotBefore(r);
    console.log(
      `FIGURE ${JSON.stringify({ scenario: "swarm-cli deploy", wallMs: r.exitedAt - r.spawnedAt, durationMs: r.result.durationMs, switchMs: phase("switch")?.ms, phases: Object.fromEntries(r.result.phases.map((p) => [p.phase, p.ms])) })}`,
    );

    checkCount(summary, seconds, urls, "deploy");
    for (const url of urls) {
      // Before the switch could have begun (build, start, health, preview, smoke of green): only blue.
      const before = colorsBetween(summary[url], 0, switchBegan);
      expect(before.count, `${url}: answers before the switch`).toBeGreaterThan(0);
      expect(before.seen, `${url} before the switch`).toEqual([`blue ${blueVersion}`]);
      // Every request started after the CLI reported the switch: green, the new version.
      const after = colorsBetween(summary[url], (switchOkSeen ?? Infinity) + 1, Infinity);
      console.log(`${url}: ${before.count} answers before the switch could begin (${before.seen.join(", ")}), ${after.count} after it was reported (${after.seen.join(", ")})`);
      expect(after.count, `${url}: answers after the switch`).toBeGreaterThan(0);
      expect(after.seen, `${url} after the switch was reported`).toEqual([`green ${NEW_VERSION}`]);
    }
    for (const n of nodes) expect(await answers(n, 30), `${n.name} after the deploy`).toEqual([`200 green ${NEW_VERSION}`]);
  });

  it("rolls back to blue under load: nothing lost, every node on blue once the switch was reported", async () => {
    const { value: r, summary, seconds } = await underLoad(urls, () => op(["rollback"], 240_000));

    expect(r.result.outcome, r.tail).toBe("success");
    expect(r.code, r.tail).toBe(0);
    expect(r.result.active).toBe("blue");
    const sw = r.result.phases.find((p) => p.phase === "switch");
    expect(sw?.status, r.tail).toBe("ok");
    const switchOkSeen = lineAt(r, "switch", "ok");
    expect(switchOkSeen, "the switch's ok event on stdout").toBeDefined();
    console.log(`FIGURE ${JSON.stringify({ scenario: "swarm-cli rollback", wallMs: r.exitedAt - r.spawnedAt, durationMs: r.result.durationMs, switchMs: sw?.ms, phases: Object.fromEntries(r.result.phases.map((p) => [p.phase, p.ms])) })}`);

    checkCount(summary, seconds, urls, "rollback");
    const switchBegan = switchNotBefore(r);
    for (const url of urls) {
      const before = colorsBetween(summary[url], 0, switchBegan);
      expect(before.count, `${url}: answers before the rollback's switch`).toBeGreaterThan(0);
      expect(before.seen, `${url} before the rollback`).toEqual([`green ${NEW_VERSION}`]);
      const after = colorsBetween(summary[url], (switchOkSeen ?? Infinity) + 1, Infinity);
      console.log(`${url}: ${before.count} answers before the switch could begin (${before.seen.join(", ")}), ${after.count} after it was reported (${after.seen.join(", ")})`);
      expect(after.count, `${url}: answers after the rollback's switch`).toBeGreaterThan(0);
      expect(after.seen, `${url} after the rollback`).toEqual([`blue ${blueVersion}`]);
    }
    for (const n of nodes) expect(await answers(n, 30), `${n.name} after the rollback`).toEqual([`200 blue ${blueVersion}`]);
    // Green stays warm after a rollback: what the next test flips node3 to.
    const { status: s } = await status();
    expect(s.slots.green).toMatchObject({ running: true, healthy: true });
  });

  it("one replica's live route flipped by hand: status reports the disagreement naming its node, resolve puts every node back on blue", async () => {
    const { status: pre } = await status();
    expect(pre.conflicts).toEqual([]);
    expect(pre.slots.green, "green must run for node3 to route to it").toMatchObject({ running: true, healthy: true });

    const n3 = node(3);
    const id = await proxyContainer(n3);
    expect((await haproxy(n3, id, "set server live/green state ready")).trim()).toBe("");
    // Wait (bounded) until node3's live/green is up, so the flip never leaves node3 with no server.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const green = parseServersState(await haproxy(n3, id, "show servers state live")).find((row) => row.server === "green");
      if (green && green.opState === 2 && green.address !== null) break;
      if (Date.now() > deadline) throw new Error(`node3's live/green not up within 20 s: ${JSON.stringify(green)}`);
      await sleep(100);
    }
    expect((await haproxy(n3, id, "set server live/blue state maint")).trim()).toBe("");

    // The fault is there: node3 answers green, the others blue.
    expect(await liveTargetByHand(n3)).toBe("green");
    expect(await answers(n3, 10), "node3 after the flip").toEqual([`200 green ${NEW_VERSION}`]);
    expect(await answers(node(1), 10), "node1 after the flip").toEqual([`200 blue ${blueVersion}`]);
    expect(await answers(node(2), 10), "node2 after the flip").toEqual([`200 blue ${blueVersion}`]);

    const seen = await status();
    expect(seen.code, seen.raw.slice(-3000)).toBe(3);
    const disagree = seen.status.conflicts.filter((c) => c.kind === "proxy-replicas-disagree");
    expect(disagree, JSON.stringify(seen.status.conflicts)).toHaveLength(1);
    expect(disagree[0]?.message).toContain("bgl-node3 live→green");
    expect(seen.status.proxy.target).toBeNull();
    expect((seen.status.proxy.replicas ?? []).map((r) => [r.node, r.live])).toEqual([
      ["bgl-node1", "blue"],
      ["bgl-node2", "blue"],
      ["bgl-node3", "green"],
    ]);

    const r = await op(["resolve"]);
    expect(r.result.outcome, r.tail).toBe("success");
    expect(r.code, r.tail).toBe(0);
    expect(r.result.active).toBe("blue");
    for (const n of nodes) {
      expect(await answers(n, 10), `${n.name} after resolve`).toEqual([`200 blue ${blueVersion}`]);
      expect(await liveTargetByHand(n), `${n.name}'s live route read by hand`).toBe("blue");
    }
    const after = await status();
    expect(after.code, after.raw.slice(-3000)).toBe(0);
    expect(after.status.conflicts).toEqual([]);
    expect(after.status.proxy.target).toBe("blue");
  });

  it("a replica whose runtime API cannot be reached (its container paused) makes a switch fail and change nothing on any replica", async () => {
    // resolve stopped green: bring it back warm (rollback to it, switch back), so the switch below has a color to go to.
    const s = await settle(true);
    expect(s.slots.green).toMatchObject({ running: true, healthy: true });
    for (const n of nodes) expect(await liveTargetByHand(n), `${n.name} before the pause`).toBe("blue");

    const n3 = node(3);
    const id = await proxyContainer(n3);
    await docker(n3.docker, ["pause", id]);
    pausedProxy = { node: n3, id };
    try {
      await expect(docker(n3.docker, ["exec", id, "true"]), "an exec in the paused proxy").rejects.toThrow(/paused/);
      const r = await op(["switch"], 120_000);
      expect(r.result.outcome, r.tail).toBe("failed");
      expect([1, 3], r.tail).toContain(r.code);
      expect(r.result.message).toContain("bgl-node3");
      // status says which replica does not answer, and that the other two still route live to blue.
      const during = await status();
      expect(during.code, during.raw.slice(-3000)).toBe(3);
      const replicas = during.status.proxy.replicas ?? [];
      expect(replicas.map((x) => x.node)).toEqual(["bgl-node1", "bgl-node2", "bgl-node3"]);
      expect(replicas.find((x) => x.node === "bgl-node3")?.error ?? "", "node3's replica while paused").toMatch(/paused/);
      // A replica that does not answer is an unreachable proxy naming it, not a disagreement.
      expect(during.status.conflicts.map((c) => c.kind)).toEqual(["proxy-unreachable"]);
      expect(during.status.conflicts[0]?.message).toContain("bgl-node3 does not answer");
      expect(replicas.filter((x) => x.node !== "bgl-node3").map((x) => [x.live, x.error ?? null])).toEqual([
        ["blue", null],
        ["blue", null],
      ]);
      // Nothing changed on the replicas that answer: read by hand and by their traffic.
      for (const n of [node(1), node(2)]) {
        expect(await liveTargetByHand(n), `${n.name}'s live route while node3 is paused`).toBe("blue");
        expect(await answers(n, 10), `${n.name} while node3 is paused`).toEqual([`200 blue ${blueVersion}`]);
      }
    } finally {
      await docker(n3.docker, ["unpause", id]);
      pausedProxy = null;
    }
    expect(await liveTargetByHand(n3), "node3's live route after the unpause").toBe("blue");
    expect(await answers(n3, 10), "node3 after the unpause").toEqual([`200 blue ${blueVersion}`]);
    const after = await status();
    expect(after.code, after.raw.slice(-3000)).toBe(0);
    expect(after.status.conflicts).toEqual([]);
    expect(after.status.proxy.target).toBe("blue");
    expect(after.status.state?.active).toBe("blue");
  });

  it("one node's engine stopped mid-deploy: the deploy ends safe and says which way; the nodes that are up lose nothing and serve the new release only after the switch", async () => {
    const s0 = await settle(true);
    const version = "v3";
    expect(s0.slots.green.version, "green must not already run the version this test deploys").not.toBe(version);
    // The worker holding one of green's tasks: the rolling update of green then has a task there.
    const placed = (await docker(node(1).docker, ["service", "ps", `${STACK}-green_app-green`, "--filter", "desired-state=running", "--format", "{{.Node}}"])).trim().split("\n");
    const victim = nodes.find((n) => n.role === "worker" && placed.includes(n.name)) ?? node(3);
    const up = nodes.filter((n) => n !== victim);
    const victimUrl = `http://${victim.address}:${LIVE_PORT}/`;
    const upUrls = up.map((n) => `http://${n.address}:${LIVE_PORT}/`);
    console.log(`green's tasks on ${placed.join(", ")}; stopping ${victim.name}'s engine once green's start begins`);

    let stopping: Promise<void> | null = null;
    let stoppedAt = Infinity;
    const onLine = (text: string): void => {
      if (stopping || !text.includes('"phase":"start"') || !text.includes('"status":"start"')) return;
      stopping = (async () => {
        await sleep(2000); // the stack deploy has reached the manager; green's tasks are being replaced
        stoppedAt = Date.now();
        stoppedNode = victim;
        await run("bash", ["scripts/swarm-lab.sh", "stop-node", victim.name.replace(/^.*node/, "")], 120_000);
      })();
    };
    const { value: r, summary, seconds } = await underLoad([...upUrls, victimUrl], () => op(["deploy", "--version", version], 300_000, onLine));
    await stopping;
    const wallMs = r.exitedAt - r.spawnedAt;
    const phases = Object.fromEntries(r.result.phases.map((p) => [p.phase, p.status]));
    console.log(`FIGURE ${JSON.stringify({ scenario: "swarm-cli node lost mid-deploy", outcome: r.result.outcome, wallMs, afterStopMs: r.exitedAt - stoppedAt, phases, degraded: r.result.degraded })}`);
    console.log(`${r.result.message}\n  state now: ${r.result.stateNow ?? "-"}\n  next step: ${r.result.nextStep ?? "-"}`);

    // The fault happened: the victim's engine is gone, the manager sees the node not ready, its URL failed.
    expect(Number.isFinite(stoppedAt), "the node was stopped during the deploy").toBe(true);
    await expect(docker(victim.docker, ["version"], 10_000), `${victim.name}'s engine after the stop`).rejects.toThrow();
    const deadline = Date.now() + 40_000;
    let seen = "";
    while ((seen = (await docker(node(1).docker, ["node", "ls", "--filter", `name=${victim.name}`, "--format", "{{.Status}}"])).trim()) === "Ready" && Date.now() < deadline) await sleep(500);
    expect(seen, `${victim.name} in docker node ls`).not.toBe("Ready");
    expect(summary[victimUrl]?.failureCount ?? 0, `requests to ${victim.name} after its engine stopped`).toBeGreaterThan(0);

    // It ended, long before the 300 s rollout deadline it used to wait out, and said which way.
    expect(r.exitedAt - stoppedAt, r.tail).toBeLessThan(120_000);
    expect(["failed", "success"], r.tail).toContain(r.result.outcome);
    checkCount(summary, seconds, upUrls, "node lost");
    const switched = r.result.phases.some((p) => p.phase === "switch" && p.status === "ok");
    const switchOkSeen = lineAt(r, "switch", "ok");
    if (r.result.outcome === "failed") {
      // Failed safe: no switch, blue served every request on the nodes that are up, the message names the node.
      expect(switched, r.tail).toBe(false);
      expect(r.code, r.tail).not.toBe(0);
      expect(r.result.message, r.tail).toContain(victim.name);
      expect(r.result.stateNow ?? "", r.tail).toContain(`blue (${blueVersion}) still serves all live traffic`);
      if (phases.start === "failed") expect(r.result.nextStep ?? "", r.tail).toContain(`node update --availability drain ${victim.name}`);
      for (const url of upUrls) expect(colorsBetween(summary[url], 0, Infinity).seen, `${url} during the failed deploy`).toEqual([`blue ${blueVersion}`]);
    } else {
      // Finished on the rest: the result says which node was left out; only green after the switch was reported.
      expect(r.result.degraded?.join(" ") ?? "", r.tail).toContain(victim.name);
      for (const url of upUrls) expect(colorsBetween(summary[url], (switchOkSeen ?? Infinity) + 1, Infinity).seen, `${url} after the switch`).toEqual([`green ${version}`]);
    }
    // Nothing routes to a color whose tasks are gone: every replica that answers routes to a healthy color.
    const during = await status();
    const live = during.status.proxy.target;
    expect(live, during.raw.slice(-3000)).toBe(r.result.outcome === "failed" ? "blue" : "green");
    expect(during.status.slots[live as Color].healthy, during.raw.slice(-3000)).toBe(true);
    for (const n of up) expect(await answers(n, 10), `${n.name} after the deploy`).toEqual([r.result.outcome === "failed" ? `200 blue ${blueVersion}` : `200 green ${version}`]);
    expect(JSON.stringify(during.status), "status warns of the lost node").toContain(`swarm node ${victim.name} is`);

    let switchedWithout = r.result.outcome === "success";
    if (r.result.outcome === "failed") {
      // What the failure's next step offers: the node taken out of scheduling no longer holds the
      // deploy up. It finishes on the rest, says which node it left out, and loses nothing there.
      await docker(node(1).docker, ["node", "update", "--availability", "drain", victim.name]);
      drainedNode = victim;
      const again = await underLoad(upUrls, () => op(["deploy", "--version", version], 300_000));
      console.log(`FIGURE ${JSON.stringify({ scenario: "swarm-cli deploy with the lost node drained", outcome: again.value.result.outcome, wallMs: again.value.exitedAt - again.value.spawnedAt, degraded: again.value.result.degraded })}`);
      expect(again.value.result.outcome, again.value.tail).toBe("success");
      expect(again.value.result.degraded?.join(" ") ?? "", again.value.tail).toContain(`swarm node ${victim.name} is`);
      checkCount(again.summary, again.seconds, upUrls, "drained");
      for (const n of up) expect(await answers(n, 10), `${n.name} after the deploy on the rest`).toEqual([`200 green ${version}`]);
      switchedWithout = true;
    }

    // The node back (and schedulable): its replica answers again and the stack is whole.
    await startNode(victim);
    stoppedNode = null;
    if (drainedNode) {
      await docker(node(1).docker, ["node", "update", "--availability", "active", victim.name]);
      drainedNode = null;
    }
    const after = await whole();
    expect((after.status.proxy.replicas ?? []).map((x) => x.node), after.raw.slice(-3000)).toEqual(["bgl-node1", "bgl-node2", "bgl-node3"]);
    expect(after.status.degraded, after.raw.slice(-3000)).toEqual([]);
    if (switchedWithout) {
      // A replica left out of a switch comes back routing as it did before it was lost (its own saved
      // state): status reports it as a disagreement naming that node, and resolve puts it on green.
      const kinds = after.status.conflicts.map((c) => c.kind);
      const odd = (after.status.proxy.replicas ?? []).filter((x) => x.live !== "green").map((x) => x.node);
      console.log(`after ${victim.name} came back: conflicts ${JSON.stringify(kinds)}, replicas not on green: ${JSON.stringify(odd)}`);
      if (odd.length > 0) {
        expect(odd).toEqual([victim.name]);
        expect(kinds, after.raw.slice(-3000)).toContain("proxy-replicas-disagree");
        const fixed = await op(["resolve"]);
        expect(fixed.result.outcome, fixed.tail).toBe("success");
      }
      for (const n of nodes) expect(await answers(n, 10), `${n.name} once the lab is whole`).toEqual([`200 green ${version}`]);
    }
  });
});

/**
 * Status once a node that was back has settled in (bounded, 120 s): no node down, a replica on
 * every node answering, and each running color healthy (Swarm replaces the tasks that died with it).
 */
async function whole(): Promise<Awaited<ReturnType<typeof status>>> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const s = await status();
    const replicas = s.status.proxy.replicas ?? [];
    const settled = s.status.degraded.length === 0 && replicas.length === 3 && replicas.every((x) => x.error === undefined) && (["blue", "green"] as const).every((c) => !s.status.slots[c].running || s.status.slots[c].healthy);
    if (settled || Date.now() > deadline) return s;
    await sleep(1000);
  }
}

async function startNode(n: LabNode): Promise<void> {
  await run("bash", ["scripts/swarm-lab.sh", "start-node", n.name.replace(/^.*node/, "")], 300_000);
}
