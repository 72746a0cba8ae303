import type { Command } from "commander";
import type { HarnessRunner } from "../../tui/types.js";
import type { Config } from "../../config/types.js";
import { ExitCode } from "../../domain/exit-codes.js";
import type { Io } from "../run-operation.js";
import { openStack } from "../open-stack.js";
import { renderStatusText } from "../render/status-text.js";
import { createStyle } from "../render/style.js";
import { UsageError } from "../usage.js";
import { didYouMean } from "../../config/suggest.js";
import { preloadEsmOnly } from "../../launch/esm-only.js";

/** The TUI's `v` key: the same harness as `bluegreen verify`, around the operation the TUI builds. */
function harnessFor(config: Config): HarnessRunner {
  return async (operation, { signal, onProgress }) => {
    // The load generator (autocannon) is heavy to import: only a verified operation pays for it.
    const { verifyAround } = await import("../../../load/index.js");
    const { result, operation: outcome } = await verifyAround(() => operation(), {
      liveUrl: config.proxy.liveUrl,
      connections: 8,
      ws: 4,
      baselineMs: 2000,
      minDuringMs: 3000,
      maxDurationMs: 2000 + config.health.timeoutMs + config.drain.timeoutMs + 120_000,
      signal,
    }, onProgress);
    if (!outcome.ok) throw outcome.error;
    return { verdict: result.verdict, hard: result.hard, keepAliveCloses: result.keepAliveCloses, criteria: result.criteria };
  };
}

export function registerDashboard(program: Command, io: Io, setCode: (code: number) => void): void {
  // With a default action, commander reports a misspelt command as "too many arguments", and
  // `bluegreen deplyo --version v2` even printed the version and exited 0 (a green CI step that
  // deployed nothing). Pass everything after the first unknown word through, and name it instead.
  // Registered last, so the subcommands keep their own argument checks.
  program.allowExcessArguments(true).passThroughOptions();
  program.action(async () => {
    const [word] = program.args;
    if (word !== undefined) {
      const names = program.commands.map((c) => c.name());
      throw new UsageError(`unknown command "${word}"${didYouMean(word, names)}; the commands are ${names.join(", ")}`);
    }
    const { engine, config, ports } = await openStack(program.opts<{ config: string }>().config);
    const tty = io.stdin.isTTY === true && io.stdout.isTTY === true;
    if (!tty) {
      // No terminal (a pipe, CI): the plain status and what to run instead of the dashboard.
      await ports.platform.ping();
      io.stdout.write(renderStatusText(await engine.status(), createStyle(io.stdout), { nextSteps: true }));
      setCode(ExitCode.Success);
      return;
    }
    // Ink renders nothing but the last frame when it believes it runs in CI (CI=true); on a real
    // terminal the operator wants the live dashboard, so CI must not be set when Ink loads.
    delete process.env.CI;
    await preloadEsmOnly();
    const { runTui } = await import("../../tui/app.js");
    setCode(
      await runTui({
        engine,
        platform: ports.platform,
        stackName: config.stack,
        harness: harnessFor(config),
      }),
    );
  });
}
