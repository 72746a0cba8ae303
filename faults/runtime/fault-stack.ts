/**
 * One demo stack per proxy, shared by the runtime scenarios (building a stack costs more than a
 * scenario): bluegreen's own config with a short verify, a real drain (keepOldWarm: false) and a
 * health timeout that slow-start releases can outlast. Between scenarios the stack is brought back
 * to "one active, healthy color, nothing else running, no lock" and that is checked, not assumed.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { startBluegreenStack, type BluegreenStack, type CliRun } from "../../testkit/bluegreen-stack.js";
import { sleep, type DemoProxy } from "../../testkit/demo-stack.js";

export type Color = "blue" | "green";

/** The parts of `bluegreen status --json` the scenarios judge. */
export interface StatusDoc {
  active: Color | null;
  proxy: { driver: string; target: Color | null; reachable: boolean; detail: string };
  slots: Record<Color, { running: boolean; healthy: boolean; exists: boolean; version: string | null }>;
  state: { active: Color | null; previous: Color | null; warm: boolean; versions: Partial<Record<Color, string>> } | null;
  stateError: string | null;
  lock: { pid: number; command: string; stale: boolean } | null;
  conflicts: Array<{ kind: string; message: string; recommend: Color | null }>;
}

export const HEALTH_TIMEOUT_S = 40;

export class FaultStack {
  private versionSeq = 1;
  constructor(
    readonly proxy: DemoProxy,
    readonly bg: BluegreenStack,
  ) {}

  /** Starts the stack; once more when the first start fails (the demo healthcheck times out under heavy load). */
  static async start(proxy: DemoProxy, proxyPort: number, previewPort: number, log: (m: string) => void, nginxRoute?: "njs" | "reload"): Promise<FaultStack> {
    try {
      return await FaultStack.startOnce(proxy, proxyPort, previewPort, nginxRoute);
    } catch (err) {
      log(`the ${proxy} stack did not start (${err instanceof Error ? err.message.split("\n")[0] : String(err)}); trying once more`);
      return FaultStack.startOnce(proxy, proxyPort, previewPort, nginxRoute);
    }
  }

  private static async startOnce(proxy: DemoProxy, proxyPort: number, previewPort: number, nginxRoute?: "njs" | "reload"): Promise<FaultStack> {
    const bg = await startBluegreenStack({
      ...(nginxRoute ? { nginxRoute } : {}),
      name: `bgt-flt-${proxy}${nginxRoute ? `-${nginxRoute}` : ""}`,
      proxy,
      proxyPort,
      previewPort,
      keepOldWarm: false,
      verifyDuration: "4s",
      healthTimeout: `${HEALTH_TIMEOUT_S}s`,
      drainTimeout: "5s",
    });
    return new FaultStack(proxy, bg);
  }

  get liveUrl(): string {
    return this.bg.demo.liveUrl;
  }

  /** A version other than every one in use, from a small set so image tags do not pile up. */
  nextVersion(status: StatusDoc): string {
    const inUse = new Set([status.slots.blue.version, status.slots.green.version]);
    for (let i = 0; i < 4; i++) {
      const v = `v${2 + ((this.versionSeq++) % 3)}`;
      if (!inUse.has(v)) return v;
    }
    return "v5";
  }

  async status(): Promise<{ run: CliRun; doc: StatusDoc | null }> {
    const run = await this.bg.cli(["status", "--json"], { timeoutMs: 60_000 });
    try {
      return { run, doc: JSON.parse(run.stdout) as StatusDoc };
    } catch {
      return { run, doc: null };
    }
  }

  /** null when settled: one active healthy color, proxy = state, the other stopped, no lock, no conflict. */
  static settledProblem(doc: StatusDoc | null, allowNoState = false, allowWarm = false): string | null {
    if (!doc) return "status --json printed no document";
    const problems: string[] = [];
    const running = (["blue", "green"] as const).filter((c) => doc.slots[c].running);
    const warm = allowWarm && running.length === 2 && doc.state?.warm === true;
    if (running.length !== 1 && !warm) problems.push(`${running.length} colors running`);
    if (!doc.active) problems.push("the proxy routes to nothing");
    else if (!doc.slots[doc.active].healthy) problems.push(`the live color ${doc.active} is not healthy`);
    if (!(allowNoState && doc.state === null) && doc.state?.active !== doc.active) problems.push(`state file says ${doc.state?.active ?? "nothing"}, proxy routes to ${doc.active ?? "nothing"}`);
    if (doc.lock) problems.push(`lock held (pid ${doc.lock.pid}, ${doc.lock.stale ? "stale" : "live"})`);
    if (doc.conflicts.length) problems.push(`conflicts: ${doc.conflicts.map((c) => c.kind).join(", ")}`);
    return problems.length ? problems.join("; ") : null;
  }

  /**
   * Polls status until settled or the time is up (the demo healthcheck flaps to "unhealthy" for a
   * few seconds when the machine is very loaded; that is not the state a scenario left behind).
   * `allowNoState`: a fresh stack has no state file yet, which is a fine starting point.
   */
  async waitSettled(timeoutMs = 45_000, allowNoState = false, allowWarm = false): Promise<{ doc: StatusDoc | null; problem: string | null; reads: number }> {
    const deadline = Date.now() + timeoutMs;
    let doc: StatusDoc | null = null;
    let problem: string | null = "not read";
    let reads = 0;
    while (reads === 0 || Date.now() < deadline) {
      ({ doc } = await this.status());
      reads++;
      problem = FaultStack.settledProblem(doc, allowNoState, allowWarm);
      if (problem === null) break;
      await sleep(1000);
    }
    return { doc, problem, reads };
  }

  /** Brings the stack to the settled state (resolve, cleanup or a deploy; up to three tries) and returns its status. */
  async settle(log: (m: string) => void): Promise<StatusDoc> {
    let s = await this.waitSettled(45_000, true);
    for (let attempt = 1; s.problem !== null && attempt <= 3; attempt++) {
      log(`settling ${this.bg.demo.name} (try ${attempt}): ${s.problem}`);
      const doc = s.doc;
      const args =
        doc && doc.conflicts.length ? ["resolve", "--yes", "--json"] : doc?.state?.warm ? ["cleanup", "--yes", "--json"] : ["deploy", "--version", doc ? this.nextVersion(doc) : "v2", "--yes", "--json"];
      const run = await this.bg.cli(args);
      if (run.code !== 0) log(`  ${args[0]} exit ${run.code}: ${lastMessage(run.stdout) ?? run.stderr.slice(0, 300)}`);
      s = await this.waitSettled(45_000, true);
    }
    if (s.problem) throw new Error(`could not bring stack ${this.bg.demo.name} back to one active healthy color before the scenario: ${s.problem}`);
    return s.doc as StatusDoc;
  }

  /**
   * settle(), and also a stopped standby container: scenarios that roll back to it or start it need
   * one, and the scenario before may have removed it (cleanup). One plain deploy, before the
   * scenario's load and count start, makes the current color that standby.
   */
  async settleWithStandby(log: (m: string) => void): Promise<StatusDoc> {
    const doc = await this.settle(log);
    const standby: Color = doc.active === "blue" ? "green" : "blue";
    if (doc.slots[standby].exists) return doc;
    log(`no ${standby} container: deploying once so that ${String(doc.active)} becomes the standby`);
    const run = await this.bg.cli(["deploy", "--version", this.nextVersion(doc), "--yes", "--json"], { timeoutMs: 300_000 });
    if (run.code !== 0) log(`  deploy exit ${run.code}: ${lastMessage(run.stdout) ?? run.stderr.slice(0, 300)}`);
    return this.settle(log);
  }

  /**
   * After a SIGKILL the CLI's docker-compose / docker children keep running (a killed parent cannot
   * stop them). Wait until none that mention this stack is left, so status and resolve see the end
   * state rather than a moving one. Reads /proc only.
   */
  async waitForOrphans(timeoutMs = 90_000): Promise<{ waitedMs: number; left: number }> {
    const t0 = Date.now();
    let left = 0;
    while (Date.now() - t0 < timeoutMs) {
      left = await countProcessesMentioning(this.bg.demo.name);
      if (left === 0) break;
      await sleep(250);
    }
    return { waitedMs: Date.now() - t0, left };
  }

  /**
   * The live color in the proxy's saved config on disk (nginx: the include file), which a reload or
   * restart puts in force; null for proxies whose saved routing is not a plain file we read here.
   */
  async persistedLive(): Promise<Color | null> {
    if (this.proxy !== "nginx") return null;
    const text = await readFile(path.join(this.bg.demo.runDir, "nginx", "live.conf"), "utf8").catch(() => null);
    if (text === null) return "blue"; // the demo's nginx config routes live to blue when the file is absent
    const m = /set \$bg_color (blue|green);/.exec(text);
    return m ? (m[1] as Color) : null;
  }

  async destroy(): Promise<void> {
    await this.bg.destroy();
  }
}

async function countProcessesMentioning(text: string): Promise<number> {
  let n = 0;
  for (const pid of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = await readFile(path.join("/proc", pid, "cmdline"), "utf8").catch(() => "");
    const env = cmdline.includes(text) ? "" : await readFile(path.join("/proc", pid, "environ"), "utf8").catch(() => "");
    // compose runs with BG_STACK in its environment; docker exec / nginx -t carry the name in argv.
    if ((cmdline.includes(text) || env.includes(`BG_STACK=${text}`)) && !cmdline.includes("bluegreen.js")) n++;
  }
  return n;
}

function lastMessage(stdout: string): string | null {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  try {
    return ((JSON.parse(line) as { message?: string }).message ?? "").split("\n")[0] ?? null;
  } catch {
    return null;
  }
}
