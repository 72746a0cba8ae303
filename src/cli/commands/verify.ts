import { Option, type Command } from "commander";
import { resolve } from "node:path";
import type { VerifyProgress, VerifyResult } from "../../../load/index.js";
import type { OperationHandlers } from "../../engine/context.js";
import type { Engine } from "../../engine/engine.js";
import type { OperationResult } from "../../engine/events.js";
import { createConfirmer } from "../confirm.js";
import { ExitCode } from "../../domain/exit-codes.js";
import { createStyle } from "../render/style.js";
import { abortOnSignals, createEventPrinter, exitCodeOf, type Io } from "../run-operation.js";
import { durationFlag, parsePositiveInt, parseVersionOption, UsageError } from "../usage.js";
import { openStack } from "../open-stack.js";
import { refuseWithoutConfirmation } from "./operations.js";

export type VerifiedOperation = { name: "switch" } | { name: "rollback" } | { name: "deploy"; version: string };

/** Pure: the operation named after `--` (`switch`, `rollback`, `deploy --version V`), plus a trailing --yes. */
export function parseVerifiedOperation(words: string[]): { op: VerifiedOperation; yes: boolean } {
  const rest = [...words];
  const yes = rest.some((w) => w === "--yes" || w === "-y");
  const args = rest.filter((w) => w !== "--yes" && w !== "-y");
  const [name, ...more] = args;
  if (name === "switch" || name === "rollback") {
    if (more.length > 0) throw new UsageError(`unexpected arguments after "${name}": ${more.join(" ")}`);
    return { op: { name }, yes };
  }
  if (name === "deploy") {
    let version: string | undefined;
    for (let i = 0; i < more.length; i++) {
      const w = more[i] as string;
      if (w === "--version") version = more[++i];
      else if (w.startsWith("--version=")) version = w.slice("--version=".length);
      else throw new UsageError(`unexpected argument "${w}" for deploy`);
    }
    if (!version) throw new UsageError("deploy needs --version V, e.g. `bluegreen verify -- deploy --version v2`");
    return { op: { name: "deploy", version: parseVersionOption(version) }, yes };
  }
  throw new UsageError(`verify wraps one of: switch, rollback, deploy --version V (got "${args.join(" ") || "nothing"}"); e.g. \`bluegreen verify -- switch --yes\``);
}

function runOp(engine: Engine, op: VerifiedOperation, handlers: OperationHandlers): Promise<OperationResult> {
  if (op.name === "switch") return engine.switch(handlers);
  if (op.name === "rollback") return engine.rollback(handlers);
  return engine.deploy({ version: op.version }, handlers);
}

/** `--max-stall 300ms`: the longest tolerated window without a successful answer (10 ms to 60 s). */
export const parseMaxStall = durationFlag("--max-stall", { min: 10, max: 60_000 });
/** `--duration 30s`: the minimum measured time from the operation's start. */
export const parseMeasuredDuration = durationFlag("--duration", { min: 1000, max: 3_600_000 });
/** `--baseline 2s`: load and probes before the operation starts. */
export const parseBaseline = durationFlag("--baseline", { min: 1000, max: 600_000 });

/** `--max-keepalive-closes N`: keep-alive closes allowed (probes + load); "unlimited" (the default) only reports them. */
export function parseMaxKeepAliveCloses(value: string): number | null {
  if (value === "unlimited") return null;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`--max-keepalive-closes must be a whole number from 0 up, or "unlimited", got "${value}"`);
  return n;
}

interface VerifyFlags {
  maxStall: number;
  maxKeepaliveCloses: number | null;
  connections: number;
  /** --duration, in ms. */
  duration: number;
  ws: number;
  /** --baseline, in ms. */
  baseline: number;
  reportDir: string;
  json?: boolean;
  yes?: boolean;
  verbose?: boolean;
}

function progressLine(p: VerifyProgress): string {
  const lat = p.p99 === null ? "-" : `${p.p50?.toFixed(1) ?? "-"}/${p.p99.toFixed(1)} ms`;
  return `  [${(p.elapsedMs / 1000).toFixed(1)} s ${p.phase}] ${Math.round(p.reqPerSec)} req/s  p50/p99 ${lat}  hard ${p.errors.hard}  keep-alive closes ${p.errors.keepAliveCloses}  ws ${p.wsAlive}  serving ${p.color ?? "-"}`;
}

export function verdictSummary(r: VerifyResult): string[] {
  const lines = [
    `verdict: ${r.verdict} — hard failures ${r.hard}, keep-alive closes ${r.keepAliveCloses}, outages ${r.outages.length}${r.outages.map((o) => ` [${o.startMs} ms +${o.durationMs} ms]`).join("")}`,
    `  latency p50/p99 before ${r.latency.before.p50 ?? "-"}/${r.latency.before.p99 ?? "-"} ms, during ${r.latency.during.p50 ?? "-"}/${r.latency.during.p99 ?? "-"} ms, after ${r.latency.after.p50 ?? "-"}/${r.latency.after.p99 ?? "-"} ms`,
    `  timeline: last ${r.timeline.oldColor ?? "-"} at ${r.timeline.lastOldMs ?? "-"} ms, first ${r.timeline.newColor ?? "-"} at ${r.timeline.firstNewMs ?? "-"} ms, both served for ${r.timeline.overlapMs ?? 0} ms`,
    `  stalls ≥ 50 ms: ${r.stalls.length === 0 ? "none" : r.stalls.map((st) => `[${st.startMs}–${st.endMs} ms, ${st.durationMs} ms]`).join(" ")} (limit ${r.thresholds.gapMs} ms)`,
    `  websockets: ${r.ws.sessions} sessions, ${r.ws.abnormalCloses} abnormal closes, max reconnect ${r.ws.maxReconnectMs ?? 0} ms`,
  ];
  for (const c of r.criteria) lines.push(`  ${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`);
  return lines;
}

export function registerVerify(program: Command, io: Io, setCode: (code: number) => void): void {
  program
    .command("verify")
    .description("prove an operation is zero-downtime: load + probe timeline + WebSocket sessions around switch | rollback | deploy --version V")
    .argument("<operation...>", "after --: switch | rollback | deploy --version V")
    .option("--connections <n>", "autocannon keep-alive connections", parsePositiveInt("--connections", 1000), 8)
    .addOption(new Option("--duration <duration>", "minimum measured time from the operation's start (30s, 2m; a bare number is seconds)").argParser(parseMeasuredDuration).default(5000, "5s"))
    .option("--ws <n>", "long-lived WebSocket sessions", (v) => (v === "0" ? 0 : parsePositiveInt("--ws", 1000)(v)), 4)
    .addOption(new Option("--baseline <duration>", "baseline before the operation (a bare number is seconds)").argParser(parseBaseline).default(2000, "2s"))
    .addOption(
      new Option("--max-stall <duration>", "fail on any window longer than this without a successful answer (300ms, 1s; a bare number is seconds); every stall of 50 ms or more is reported")
        .argParser(parseMaxStall)
        .default(300, "300ms"),
    )
    .addOption(
      new Option("--max-keepalive-closes <n>", 'fail on more keep-alive closes than this (probes + load); "unlimited" only reports them')
        .argParser(parseMaxKeepAliveCloses)
        .default(null, "unlimited"),
    )
    .option("--report-dir <dir>", "where the JSON, JUnit and Markdown reports go", "reports")
    .option("--json", "stream progress as JSON lines, ending with the result object")
    .option("-y, --yes", "confirm the operation without asking")
    .option("-v, --verbose", "show compose output")
    .action(async (words: string[], flags: VerifyFlags) => {
      const parsed = parseVerifiedOperation(words);
      // The load generator (autocannon) is heavy to import: only `verify` pays for it.
      const { verifyAround, writeReports } = await import("../../../load/index.js");
      const yes = flags.yes === true || parsed.yes;
      const { engine, config } = await openStack(program.opts<{ config: string }>().config);
      if (refuseWithoutConfirmation(io, { yes, ...(flags.json ? { json: true } : {}) }, `verify -- ${parsed.op.name}`)) {
        setCode(ExitCode.NotConfirmed);
        return;
      }
      const json = flags.json === true;
      const style = createStyle(io.stdout);
      const printEvent = createEventPrinter(io, { json, yes, verbose: flags.verbose === true });
      const controller = new AbortController();
      const dispose = abortOnSignals(controller, io);
      let lastLine = 0;
      try {
        const { result, operation } = await verifyAround(
          (signal) => {
            // Ctrl-C reaches the engine through verifyAround's signal.
            const handlers: OperationHandlers = {
              emit: (e) => (e.type === "result" ? undefined : printEvent(e)),
              confirm: createConfirmer({ yes, stdin: io.stdin, stdout: io.stdout, json }),
              signal,
            };
            return runOp(engine, parsed.op, handlers);
          },
          {
            liveUrl: config.proxy.liveUrl,
            connections: flags.connections,
            ws: flags.ws,
            baselineMs: flags.baseline,
            minDuringMs: flags.duration,
            maxDurationMs: flags.baseline + config.health.timeoutMs + config.drain.timeoutMs + 120_000 + flags.duration,
            signal: controller.signal,
            thresholds: { gapMs: flags.maxStall, maxKeepAliveCloses: flags.maxKeepaliveCloses },
          },
          (p) => {
            if (json) io.stdout.write(`${JSON.stringify({ type: "verify-progress", ...p })}\n`);
            else if (p.elapsedMs - lastLine >= 1000) {
              lastLine = p.elapsedMs;
              io.stdout.write(`${style.dim(progressLine(p))}\n`);
            }
          },
        );
        const stamp = result.startedAt.replace(/[:.]/g, "-");
        const paths = await writeReports(result, resolve(flags.reportDir), `verify-${parsed.op.name}-${stamp}`, config.env);
        const opResult = operation.ok ? operation.value : null;
        const opCode = opResult ? exitCodeOf(opResult) : ExitCode.Failed;
        const code = opCode !== ExitCode.Success ? opCode : result.verdict === "PASS" ? ExitCode.Success : ExitCode.Failed;
        if (json) {
          io.stdout.write(
            `${JSON.stringify({
              type: "result",
              verdict: result.verdict,
              hard: result.hard,
              keepAliveCloses: result.keepAliveCloses,
              outages: result.outages,
              stalls: result.stalls,
              ws: result.ws,
              latency: result.latency,
              timeline: result.timeline,
              criteria: result.criteria,
              reports: paths,
              operation: opResult ?? { outcome: "failed", message: operation.ok ? "" : operation.error.message },
            })}\n`,
          );
        } else {
          if (opResult) printEvent({ type: "result", result: opResult });
          else io.stdout.write(`${style.red("✗ the operation threw")}: ${operation.ok ? "" : operation.error.message}\n`);
          for (const line of verdictSummary(result)) io.stdout.write(`${line}\n`);
          io.stdout.write(`  reports: ${paths.markdown}, ${paths.junit}, ${paths.json}\n`);
        }
        setCode(code);
      } finally {
        dispose();
      }
    });
}
