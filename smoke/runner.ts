/**
 * Runs a smoke spec against one base URL, check after check, and returns what happened. A failing
 * check is a result, never an exception; only an unusable spec or URL throws (before anything runs).
 */
import { Agent } from "undici";
import { runWithRetries } from "./checks/attempt.js";
import { httpAttempt } from "./checks/http.js";
import { parseBaseUrl, SmokeUsageError } from "./checks/target.js";
import { wsAttempt } from "./checks/ws.js";
import type { CheckResult, RunSmokeOptions, SmokeEvent, SmokeResult, SmokeSpec } from "./types.js";
import type { VariableValues } from "./variables.js";

export { SmokeUsageError };

export async function runSmoke(spec: SmokeSpec, options: RunSmokeOptions): Promise<SmokeResult> {
  const baseUrl = parseBaseUrl(options.baseUrl);
  if (spec.checks.length === 0) {
    throw new SmokeUsageError(`smoke spec ${spec.source} has no checks; nothing was checked. Add at least one check to the spec`);
  }
  const vars: VariableValues = {};
  if (options.expectVersion) vars.EXPECT_VERSION = options.expectVersion;
  if (options.expectColor) vars.EXPECT_COLOR = options.expectColor;
  const emit = (event: SmokeEvent): void => options.onEvent?.(event);
  const signal = options.signal;
  const versionHeader = options.expectVersion ? options.versionHeader : undefined;

  const startedAt = new Date();
  const started = performance.now();
  // A fresh pool per run: no connection from an earlier run (maybe to the other color) is reused.
  const connectTimeout = Math.max(...spec.checks.map((c) => c.timeoutMs));
  const agent = new Agent({ connect: { timeout: connectTimeout }, keepAliveTimeout: 2000 });
  const checks: CheckResult[] = [];
  try {
    for (const [index, check] of spec.checks.entries()) {
      emit({ type: "check-start", name: check.name, kind: check.kind, index, total: spec.checks.length });
      const attempt =
        check.kind === "http"
          ? () => httpAttempt(check, { baseUrl, agent, vars, ...(versionHeader ? { versionHeader } : {}), ...(signal ? { signal } : {}) })
          : () => wsAttempt(check, { baseUrl, vars, ...(signal ? { signal } : {}) });
      const result = await runWithRetries(check, attempt, signal, emit);
      checks.push(result);
      emit({ type: "check-end", result });
    }
  } finally {
    await agent.destroy();
  }

  const result: SmokeResult = {
    ok: checks.every((c) => c.ok) && signal?.aborted !== true,
    target: baseUrl.href,
    durationMs: Math.round(performance.now() - started),
    startedAt: startedAt.toISOString(),
    checks,
  };
  if (options.expectVersion) result.expectVersion = options.expectVersion;
  if (options.expectColor) result.expectColor = options.expectColor;
  if (signal?.aborted) result.aborted = true;
  return result;
}
