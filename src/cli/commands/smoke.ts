import { Option, type Command } from "commander";
import { abortOnSignals, type Io } from "../run-operation.js";
import { parseColorOption, UsageError } from "../usage.js";
import { openStack } from "../open-stack.js";
import { resolve } from "node:path";
import { otherColor, type Color } from "../../domain/color.js";
import { smokeSlot } from "../../engine/operations/smoke-slot.js";

interface SmokeFlags {
  target?: string;
  slot?: "blue" | "green";
  spec?: string;
  expectVersion?: string;
  json?: boolean;
  junit?: string;
}

export function registerSmoke(program: Command, io: Io, setCode: (code: number) => void): void {
  program
    .command("smoke")
    .description("run the smoke suite against a URL, or against a slot through the proxy's preview route")
    .option("--target <url>", "base URL to test (e.g. http://127.0.0.1:8081)")
    .addOption(new Option("--slot <color>", "test blue or green through the preview route").argParser(parseColorOption))
    .option("--spec <file>", "smoke spec (default: smoke.spec of the config)")
    .option("--expect-version <version>", "the version the target must report")
    .option("--json", "stream events as JSON lines, ending with the result")
    .option("--junit <file>", "write a JUnit XML report")
    .action(async (flags: SmokeFlags) => {
      if (flags.target && flags.slot) throw new UsageError("--target and --slot are exclusive: give one");
      // The runner (undici, ws) loads only when a smoke run really starts.
      const { runSmokeCommand, demoSpecPath } = await import("../../../smoke/index.js");
      let baseUrl = flags.target;
      let specFile = flags.spec ? resolve(flags.spec) : undefined;
      let versionHeader: string | undefined;
      let slotRun: ((run: (signal: AbortSignal) => Promise<number>, signal: AbortSignal) => Promise<number>) | null = null;
      let expectColor: string | undefined;
      let secretsEnv: Record<string, string> | undefined;
      if (!baseUrl || !specFile) {
        const { config, ports } = await openStack(program.opts<{ config: string }>().config);
        secretsEnv = config.env;
        specFile ??= config.smoke.spec ?? demoSpecPath();
        versionHeader = config.smoke.expectVersionHeader ?? undefined;
        if (!baseUrl) {
          const live = await ports.proxy.liveTarget();
          const slot: Color = flags.slot ?? (live ? otherColor(live) : "blue");
          // The preview route is the proxy's to move: the stack's lock is held for the whole run.
          slotRun = (run, signal) => smokeSlot(ports, slot, signal, run);
          baseUrl = config.proxy.previewUrl;
          expectColor = slot;
        }
      }
      const target = baseUrl;
      const spec = specFile;
      const controller = new AbortController();
      const dispose = abortOnSignals(controller, io);
      const run = (signal: AbortSignal) =>
        runSmokeCommand({
          baseUrl: target,
          specFile: spec,
          ...(flags.expectVersion ? { expectVersion: flags.expectVersion } : {}),
          ...(versionHeader ? { versionHeader } : {}),
          ...(expectColor ? { expectColor } : {}),
          json: flags.json ?? false,
          ...(flags.junit ? { junitFile: resolve(flags.junit) } : {}),
          ...(secretsEnv ? { secretsEnv } : {}),
          out: io.stdout,
          err: io.stderr,
          isTTY: io.stdout.isTTY === true,
          signal,
        });
      try {
        setCode(slotRun ? await slotRun(run, controller.signal) : await run(controller.signal));
      } finally {
        dispose();
      }
    });
}
