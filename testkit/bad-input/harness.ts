/**
 * Runs bad-input cases against ONE live demo stack: a request loop through the live route the whole
 * time, a snapshot of containers / proxy / state files taken once, and after every case a check
 * that the CLI failed the way the case says and that nothing changed.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { startBluegreenStack, startTraffic, type BluegreenStack, type TrafficSummary } from "../bluegreen-stack.js";
import type { DemoProxy } from "../demo-stack.js";
import type { ProxyDriver } from "../../src/proxy/driver.js";
import { appendHistory, writeState } from "../../src/state/index.js";
import type { ScenarioResult } from "../scenario-result.js";
import { REFUSED_VERSION, type BadInputCase, type CaseContext } from "./cases.js";
import { runCli } from "./cli.js";
import { diffSnapshots, takeSnapshot, type Snapshot, type SnapshotSources } from "./snapshot.js";

export interface CaseOutcome {
  name: string;
  /** Everything that was wrong (exit code, message, a change, a lost request); empty when the case passed. */
  problems: string[];
  code: number | null;
  /** Requests through the live route while the case ran, and hard failures among them. */
  requests: number;
  hard: number;
  seconds: number;
  /** stderr + stdout of the CLI. */
  output: string;
  /** The part of the output the first expected message matched. */
  said: string;
}

/** Node's own crash output: a bad input must get a message, never a stack trace. */
const STACK_TRACE = /\n\s+at [^\n]+:\d+:\d+\)?\n/;

/** A gate for cases: up to `limit` at once; an exclusive case runs alone. */
class Slots {
  private running = 0;
  private exclusive = false;
  /** Exclusive cases waiting: no new shared case starts meanwhile (else they could starve). */
  private exclusiveWaiting = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    if (exclusive) this.exclusiveWaiting++;
    const blocked = () => this.exclusive || (exclusive ? this.running > 0 : this.running >= this.limit || this.exclusiveWaiting > 0);
    while (blocked()) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (exclusive) {
      this.exclusiveWaiting--;
      this.exclusive = true;
    }
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      if (exclusive) this.exclusive = false;
      for (const wake of this.waiting.splice(0)) wake();
    }
  }
}

export interface HarnessOptions {
  /** Cases running at once (each is a separate CLI process); default 4. */
  concurrency?: number;
  /** A port in the suite's range where nothing listens (for `smoke --target`). */
  closedPort: number;
}

export class BadInputHarness {
  private readonly slots: Slots;
  private counter = 0;

  private constructor(
    readonly stack: BluegreenStack,
    private readonly sources: SnapshotSources,
    private readonly baseline: Snapshot,
    private readonly goodText: string,
    private readonly traffic: ReturnType<typeof startTraffic>,
    private readonly ownsStack: boolean,
    private readonly options: HarnessOptions,
  ) {
    this.slots = new Slots(options.concurrency ?? 4);
  }

  /** Starts a demo stack (blue v1 live), records a deployment in its state dir, and the request loop. */
  static async start(o: { name: string; proxy: DemoProxy; proxyPort: number; previewPort: number } & HarnessOptions): Promise<BadInputHarness> {
    const stack = await startBluegreenStack({ name: o.name, proxy: o.proxy, proxyPort: o.proxyPort, previewPort: o.previewPort, colors: { blue: { version: "v1" } } });
    try {
      // A stack bluegreen already knows: state.json and a history line that must survive every case.
      await writeState(stack.stateDir, { active: "blue", previous: null, versions: { blue: "v1" }, warm: false, updatedBy: "bad-input harness" });
      await appendHistory(stack.stateDir, {
        time: new Date().toISOString(),
        user: "bad-input",
        host: "harness",
        command: "deploy --version v1",
        operation: "deploy",
        from: { color: null, version: null },
        to: { color: "blue", version: "v1" },
        phases: {},
        smoke: null,
        verify: null,
        outcome: "success",
        error: null,
      });
      return await BadInputHarness.over(stack, o, true);
    } catch (err) {
      await stack.destroy();
      throw err;
    }
  }

  /** A harness over a stack someone else started (and destroys). */
  static async over(stack: BluegreenStack, options: HarnessOptions, ownsStack = false): Promise<BadInputHarness> {
    await assertClosed(options.closedPort);
    const { ports } = await stack.openEngine();
    const proxy: ProxyDriver = ports.proxy;
    const sources: SnapshotSources = {
      projects: Object.values(stack.demo.projects),
      proxy,
      paths: [stack.stateDir, stack.demo.runDir],
      forbiddenImages: [`${process.env.BG_IMAGE_NS ?? "bluegreen-demo"}/app:${REFUSED_VERSION}`],
    };
    const baseline = await takeSnapshot(sources);
    if (baseline.proxy.live !== "blue" && baseline.proxy.live !== "green") throw new Error(`the proxy routes live to ${baseline.proxy.live}; the bad-input cases need a serving stack`);
    const goodText = await readFile(stack.configPath, "utf8");
    const traffic = startTraffic(stack.demo.liveUrl, { intervalMs: 20, maxDurationMs: 900_000 });
    return new BadInputHarness(stack, sources, baseline, goodText, traffic, ownsStack, options);
  }

  run(c: BadInputCase): Promise<CaseOutcome> {
    return this.slots.run(c.exclusive === true, () => this.runNow(c));
  }

  private async runNow(c: BadInputCase): Promise<CaseOutcome> {
    const t0 = Date.now();
    const index = ++this.counter;
    const dir = path.join(this.stack.dir, "cases", `${String(index).padStart(2, "0")}-${c.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 40)}`);
    await mkdir(dir, { recursive: true });
    const ctx: CaseContext = {
      dir,
      goodConfig: this.stack.configPath,
      goodText: this.goodText,
      liveUrl: this.stack.demo.liveUrl,
      closedPort: this.options.closedPort,
      pwnedFile: path.join(dir, "pwned"),
      write: async (name, text) => {
        const file = path.join(dir, name);
        await writeFile(file, text);
        return file;
      },
      edit: (from, to) => {
        const next = this.goodText.replace(from, to);
        if (next === this.goodText) throw new Error(`case "${c.name}": ${String(from)} does not occur in the stack's bluegreen.yml`);
        return next;
      },
    };
    const prepared = (await c.prepare?.(ctx)) ?? {};
    const watched = prepared.watch ? await takeSnapshot({ ...this.sources, projects: [], paths: prepared.watch, forbiddenImages: [] }) : null;
    const args = typeof c.args === "function" ? c.args(ctx) : c.args;

    const samples = this.traffic.loop.samples;
    const from = samples.length;
    const run = await runCli(["-c", prepared.config ?? this.stack.configPath, ...args], {
      cwd: dir,
      env: { ...process.env, ...this.stack.env, ...c.env },
      timeoutMs: 90_000,
    });
    const window = samples.slice(from);
    const output = `${run.stderr}${run.stdout}`;

    const problems: string[] = [];
    if (run.code !== c.exit) problems.push(`exit ${run.code ?? run.signal ?? "?"}, expected ${c.exit}`);
    for (const m of c.messages) if (!m.test(output)) problems.push(`the message does not say ${m}`);
    for (const m of c.forbidden ?? []) if (m.test(output)) problems.push(`the output contains ${m}`);
    if (STACK_TRACE.test(output)) problems.push("the output contains a stack trace instead of a message");
    problems.push(...((await c.after?.(ctx)) ?? []));
    problems.push(...diffSnapshots(this.baseline, await takeSnapshot(this.sources)));
    if (watched) problems.push(...diffSnapshots(watched, await takeSnapshot({ ...this.sources, projects: [], paths: prepared.watch ?? [], forbiddenImages: [] })));
    const hard = window.filter((s) => s.error === "hard").length;
    if (hard > 0) {
      const first = window.find((s) => s.error === "hard");
      problems.push(`${hard} hard failures through the live route (first: ${first?.errorCode ?? first?.status ?? "?"})`);
    }
    const first = c.messages[0] ? output.match(c.messages[0])?.[0] : undefined;
    await rm(ctx.pwnedFile, { force: true });
    return { name: c.name, problems, code: run.code, requests: window.length, hard, seconds: (Date.now() - t0) / 1000, output, said: first ?? output.split("\n")[0] ?? "" };
  }

  /** Stops the request loop (and destroys the stack when this harness started it). */
  async stop(): Promise<TrafficSummary> {
    const summary = await this.traffic.stop();
    if (this.ownsStack) await this.stack.destroy();
    return summary;
  }
}

async function assertClosed(port: number): Promise<void> {
  const open = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );
  if (open) throw new Error(`port ${port} answers; the "closed port" cases need a port where nothing listens`);
}

/** One row of the fault-suite table per case. */
export function caseResult(prefix: string, o: CaseOutcome): ScenarioResult {
  const ok = o.problems.filter((p) => !p.includes("hard failures")).length === 0;
  return {
    name: `${prefix}: ${o.name}`,
    runs: 1,
    requests: o.requests,
    hard: o.hard,
    endStateCorrect: ok,
    seconds: o.seconds,
    detail: ok
      ? `exit ${o.code}; says ${JSON.stringify(o.said.slice(0, 90))}; containers, proxy, state unchanged`
      : `PROBLEM: ${o.problems.join("; ")}; output: ${JSON.stringify(o.output.slice(0, 300))}`,
  };
}
