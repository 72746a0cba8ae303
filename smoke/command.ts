/**
 * `bluegreen smoke` as a function the CLI calls once it has resolved the target URL.
 * Output: live lines on a TTY, plain lines otherwise, or JSON lines (events, then the result last).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ExitCode } from "../src/domain/exit-codes.js";
import { truncate } from "./matchers.js";
import { formatJsonEvent, formatJsonResult } from "./report/json.js";
import { formatJUnit } from "./report/junit.js";
import { formatCheckResult, formatSummary, shouldUseColor, type TextStyle } from "./report/text.js";
import { writeFileAtomic } from "../src/fs/atomic-write.js";
import { createMasker } from "../src/security/index.js";
import { runSmoke, SmokeUsageError } from "./runner.js";
import { loadSmokeSpec, SmokeSpecError } from "./spec.js";
import type { SmokeEvent, SmokeResult, SmokeSpec } from "./types.js";

export interface SmokeCommandOptions {
  baseUrl: string;
  specFile: string;
  expectVersion?: string;
  /** smoke.expectVersionHeader of the config, when one was read (see RunSmokeOptions). */
  versionHeader?: string;
  expectColor?: string;
  json: boolean;
  junitFile?: string;
  out: NodeJS.WritableStream;
  /** Where problems go in text mode; defaults to `out`. */
  err?: NodeJS.WritableStream;
  isTTY: boolean;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** More secrets to keep out of the report: the config's env when a stack config was loaded. */
  secretsEnv?: Readonly<Record<string, string>>;
}

/** The spec shipped for the demo app, in the source tree and next to the compiled files alike. */
export function demoSpecPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "specs", "demo.yml"), join(here, "..", "..", "smoke", "specs", "demo.yml")];
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

export async function runSmokeCommand(options: SmokeCommandOptions): Promise<number> {
  const { out, json } = options;
  const errOut = options.err ?? out;
  const style: TextStyle = { color: shouldUseColor(options.isTTY, options.env) };

  const usageProblem = (kind: "spec" | "usage" | "report", message: string, extra: Record<string, unknown> = {}): number => {
    if (json) out.write(`${JSON.stringify({ type: "error", kind, message, ...extra })}\n`);
    else errOut.write(`${message}\n`);
    return ExitCode.Usage;
  };

  let spec: SmokeSpec;
  try {
    spec = await loadSmokeSpec(options.specFile);
  } catch (err) {
    if (err instanceof SmokeSpecError) return usageProblem("spec", err.message, { issues: err.issues });
    throw err;
  }

  const onEvent = json ? (event: SmokeEvent) => out.write(formatJsonEvent(event)) : options.isTTY ? liveProgress(out, style) : plainProgress(out, style);
  let result: SmokeResult;
  try {
    result = await runSmoke(spec, {
      baseUrl: options.baseUrl,
      onEvent,
      ...(options.expectVersion ? { expectVersion: options.expectVersion } : {}),
      ...(options.versionHeader ? { versionHeader: options.versionHeader } : {}),
      ...(options.expectColor ? { expectColor: options.expectColor } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if (err instanceof SmokeUsageError) return usageProblem("usage", err.message);
    throw err;
  }

  let exit: number = result.aborted ? ExitCode.Interrupted : result.ok ? ExitCode.Success : ExitCode.Failed;
  if (options.junitFile !== undefined) {
    try {
      // Reports get archived by CI: secret values of the environment never go into them.
      await writeFileAtomic(options.junitFile, createMasker(options.env ?? process.env, options.secretsEnv ?? {}).text(formatJUnit(result)));
    } catch (err) {
      const message = `could not write the JUnit report to ${options.junitFile}: ${(err as Error).message}. The smoke result is printed here; give a writable path for the report.`;
      if (json) out.write(`${JSON.stringify({ type: "error", kind: "report", message })}\n`);
      else errOut.write(`${message}\n`);
      exit = ExitCode.Usage;
    }
  }
  out.write(json ? formatJsonResult(result) : formatSummary(result, style));
  return exit;
}

/** Without a TTY: a finished line per check, nothing rewritten (CI logs stay readable). */
function plainProgress(out: NodeJS.WritableStream, style: TextStyle): (event: SmokeEvent) => void {
  return (event) => {
    if (event.type === "check-end") out.write(formatCheckResult(event.result, style));
  };
}

/** On a TTY: a "running" line per check, rewritten with retries and then with the verdict. */
function liveProgress(out: NodeJS.WritableStream, style: TextStyle): (event: SmokeEvent) => void {
  const clearLine = "\r\u001b[2K";
  const dim = (t: string) => (style.color ? `\u001b[2m${t}\u001b[0m` : t);
  return (event) => {
    if (event.type === "check-start") out.write(dim(`… ${event.name} (${event.index + 1}/${event.total})`));
    else if (event.type === "attempt-failed") {
      const next = event.retryInMs > 0 ? `retrying in ${event.retryInMs} ms` : "no retries left";
      out.write(`${clearLine}${dim(`… ${event.name}: attempt ${event.attempt}/${event.maxAttempts} failed (${truncate(event.error, 100)}); ${next}`)}`);
    } else out.write(`${clearLine}${formatCheckResult(event.result, style)}`);
  };
}
