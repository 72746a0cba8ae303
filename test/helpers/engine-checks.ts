/**
 * Small readers for the engine integration tests: the CLI's final JSON result line, `status --json`,
 * a container's Docker state, and a figures log the tests print so a run reports what it measured.
 */
import { run, type StackColor } from "../../testkit/demo-stack.js";
import { startTraffic, type BluegreenStack, type CliRun, type TrafficSummary } from "../../testkit/bluegreen-stack.js";

export interface CliResult {
  type: "result";
  operation: string;
  outcome: string;
  message: string;
  active: StackColor | null;
  from: { color: StackColor | null; version: string | null };
  to: { color: StackColor | null; version: string | null };
  phases: Array<{ phase: string; status: string; ms: number }>;
  durationMs: number;
  stateNow?: string;
  nextStep?: string;
  error?: { kind: string; message: string };
}

export interface SlotJson {
  running: boolean;
  healthy: boolean;
  exists: boolean;
  version: string | null;
  since: string | null;
  containers: Array<{ name: string; state: string; health: string; version: string | null }>;
}

export interface StatusJson {
  stack: string;
  active: StackColor | null;
  proxy: { driver: string; target: StackColor | null; preview: StackColor | null; reachable: boolean; detail: string };
  slots: Record<StackColor, SlotJson>;
  shared: Array<{ name: string; service: string; state: string }>;
  state: { active: StackColor | null; previous: StackColor | null; versions: Partial<Record<StackColor, string>>; warm: boolean } | null;
  stateError: string | null;
  lock: { pid: number; command: string; stale: boolean } | null;
  conflicts: Array<{ kind: string; message: string; recommend: StackColor | null; why: string }>;
}

/** What a failing assertion shows: the exit code and the tail of both streams. */
export function describeRun(r: CliRun): string {
  return `exit ${String(r.code)} signal ${String(r.signal)}\nstderr: ${r.stderr.slice(-2500)}\nstdout tail: ${r.stdout.slice(-2500)}`;
}

/** The `--json` result object: the last line of stdout. */
export function resultOf(r: CliRun): CliResult {
  const lines = r.stdout.trim().split("\n").filter(Boolean);
  const last = lines[lines.length - 1];
  if (!last) throw new Error(`the CLI printed no JSON result line (${describeRun(r)})`);
  const doc = JSON.parse(last) as CliResult;
  if (doc.type !== "result") throw new Error(`the last stdout line is not the result object: ${last}`);
  return doc;
}

export function phaseMs(result: CliResult, phase: string): number | null {
  return result.phases.find((p) => p.phase === phase)?.ms ?? null;
}

/** `status --json` parsed, with its exit code (3 when it reports a conflict). */
export async function statusOf(stack: BluegreenStack): Promise<{ code: number | null; doc: StatusJson }> {
  const r = await stack.cli(["status", "--json"], { timeoutMs: 60_000 });
  try {
    return { code: r.code, doc: JSON.parse(r.stdout) as StatusJson };
  } catch {
    throw new Error(`status --json did not print one JSON document (${describeRun(r)})`);
  }
}

/** Docker's view of one container: "running", "exited"… and its start time (changes on restart). */
export async function containerState(id: string): Promise<{ status: string; startedAt: string }> {
  const { stdout } = await run("docker", ["inspect", "-f", "{{.State.Status}} {{.State.StartedAt}}", id]);
  const [status = "", startedAt = ""] = stdout.trim().split(" ");
  return { status, startedAt };
}

/** The state file as the engine wrote it (read through the stack's real state port). */
export async function stateFileOf(stack: BluegreenStack): Promise<{ active: StackColor | null; versions: Partial<Record<StackColor, string>> } | null> {
  const { ports } = await stack.openEngine();
  const s = await ports.state.read();
  return s ? { active: s.active, versions: s.versions } : null;
}

export interface MeasuredTraffic extends TrafficSummary {
  /** Hard failures by error code ("timeout", "http-502", "ECONNRESET"…). */
  hardByCode: Record<string, number>;
  /** Date.now() when the loop started: sample times (ms since start) + this = wall clock. */
  wallStart: number;
}

/**
 * The request loop through the stack's live route (startTraffic), at 20 requests/s so the loop itself
 * does not load the shared machine; stop() adds the hard failures by error code.
 */
export function measureTraffic(stack: BluegreenStack, intervalMs = 50): { stop(): Promise<MeasuredTraffic>; samples(): ReturnType<typeof startTraffic>["loop"]["samples"] } {
  const wallStart = Date.now();
  const traffic = startTraffic(stack.demo.liveUrl, { intervalMs, maxDurationMs: 240_000 });
  return {
    samples: () => traffic.loop.samples,
    async stop() {
      const summary = await traffic.stop();
      const hardByCode: Record<string, number> = {};
      for (const s of traffic.loop.samples) if (s.error === "hard") hardByCode[s.errorCode ?? "?"] = (hardByCode[s.errorCode ?? "?"] ?? 0) + 1;
      return { ...summary, hardByCode, wallStart };
    },
  };
}

export interface Figure {
  scenario: string;
  ms?: number;
  traffic?: Pick<MeasuredTraffic, "requests" | "hard" | "keepAliveCloses" | "colors" | "hardByCode">;
  extra?: Record<string, unknown>;
}

/** Prints one measured figure as a greppable line (`FIGURE {...}`) for the run's report. */
export function recordFigure(f: Figure): void {
  console.log(`FIGURE ${JSON.stringify(f)}`);
}

export function trafficFigure(s: MeasuredTraffic): Figure["traffic"] {
  return { requests: s.requests, hard: s.hard, keepAliveCloses: s.keepAliveCloses, colors: s.colors, hardByCode: s.hardByCode };
}

/**
 * Waits until Docker reports every given color healthy (read through the real engine, bounded).
 * On a loaded machine a health check can exceed its timeout and flip a color to unhealthy for a few
 * seconds; a test whose premise is "this color is warm" establishes that premise first.
 */
export async function waitUntilHealthy(stack: BluegreenStack, colors: StackColor[], timeoutMs = 60_000): Promise<void> {
  const { engine } = await stack.openEngine();
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const status = await engine.status();
    const sick = colors.filter((c) => !status.slots[c].healthy);
    if (sick.length === 0) return;
    last = sick.map((c) => `${c}: ${status.slots[c].containers.map((k) => `${k.state}/${k.health} ${k.lastHealthOutput ?? ""}`).join(", ") || "no container"}`).join("; ");
    if (Date.now() > deadline) throw new Error(`not healthy within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Runs a CLI operation whose premise is "these colors are healthy". When Docker's health check flips
 * a color to unhealthy between the premise and the engine's preflight (checks time out on a loaded
 * machine) the engine rightly refuses and changes nothing; then it is run again, at most twice, and
 * each retry is printed as a FIGURE line so the report shows how often it happened.
 */
export async function cliOnHealthy(
  stack: BluegreenStack,
  args: string[],
  healthy: StackColor[],
  opts: { env?: Record<string, string> } = {},
): Promise<CliRun> {
  for (let attempt = 1; ; attempt++) {
    await waitUntilHealthy(stack, healthy);
    const r = await stack.cli(args, opts);
    if (r.code === 0 || attempt === 3) return r;
    let result: CliResult;
    try {
      result = resultOf(r);
    } catch {
      return r;
    }
    const changedNothing = /nothing was changed/.test(result.stateNow ?? "");
    const flapped = /NOT healthy|not healthy|no color is healthy|no healthy container/.test(result.message);
    if (!changedNothing || !flapped) return r;
    recordFigure({ scenario: `retried \`${args.join(" ")}\`: a color's Docker health flapped`, extra: { attempt, message: result.message.slice(0, 300) } });
  }
}
