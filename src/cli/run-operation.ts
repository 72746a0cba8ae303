import type { Engine } from "../engine/engine.js";
import { resultKind } from "../engine/engine.js";
import type { EngineEvent, OperationResult } from "../engine/events.js";
import type { OperationHandlers } from "../engine/context.js";
import { createConfirmer } from "./confirm.js";
import { ExitCode } from "../domain/exit-codes.js";
import { renderEventText } from "./render/events-text.js";
import { createStyle } from "./render/style.js";

export interface OutputOptions {
  json: boolean;
  yes: boolean;
  verbose: boolean;
}

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

export function exitCodeOf(result: OperationResult): number {
  switch (resultKind(result)) {
    case "success":
      return ExitCode.Success;
    case "usage":
      return ExitCode.Usage;
    case "conflict":
      return ExitCode.Conflict;
    case "locked":
      return ExitCode.Locked;
    case "declined":
      return ExitCode.NotConfirmed;
    case "aborted":
      return ExitCode.Interrupted;
    default:
      return ExitCode.Failed;
  }
}

/** An event sink writing either JSON lines (one event per line, the result last) or plain text. */
export function createEventPrinter(io: Io, opts: OutputOptions): (event: EngineEvent) => void {
  const style = createStyle(io.stdout);
  return (event) => {
    if (opts.json) {
      io.stdout.write(`${JSON.stringify(event.type === "result" ? { ...event.result, type: "result" } : event)}\n`);
      return;
    }
    for (const line of renderEventText(event, style, { verbose: opts.verbose })) io.stdout.write(`${line}\n`);
  };
}

/**
 * Ctrl-C / SIGTERM abort the operation at its next safe point; a second Ctrl-C leaves at once.
 * Returns a disposer.
 */
export function abortOnSignals(controller: AbortController, io: Io): () => void {
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      io.stderr.write(`\n${sig}: stopping safely (the new color is stopped if the switch has not happened; press Ctrl-C again to quit at once)\n`);
      controller.abort();
    } else {
      io.stderr.write("quitting without waiting: run `bluegreen status`, then `bluegreen resolve` if it reports a conflict\n");
      process.exit(ExitCode.Interrupted);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

/** Runs one mutating engine operation with CLI handlers and returns its exit code. */
export async function runEngineOperation(
  io: Io,
  opts: OutputOptions,
  op: (engine: Engine, handlers: OperationHandlers) => Promise<OperationResult>,
  engine: Engine,
): Promise<number> {
  const controller = new AbortController();
  const dispose = abortOnSignals(controller, io);
  try {
    const handlers: OperationHandlers = {
      emit: createEventPrinter(io, opts),
      // stdin is touched only if a question is really asked (--yes never opens it).
      confirm: createConfirmer({
        yes: opts.yes,
        get stdin() {
          return io.stdin;
        },
        stdout: io.stdout,
        json: opts.json,
      }),
      signal: controller.signal,
    };
    const result = await op(engine, handlers);
    return exitCodeOf(result);
  } finally {
    dispose();
  }
}
