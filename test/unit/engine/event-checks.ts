import { expect } from "vitest";
import type { OperationHandlers } from "../../../src/engine/context.js";
import type { ConfirmRequest, EngineEvent, OperationResult, PhaseName, PhaseStatus } from "../../../src/engine/events.js";
import { recorder } from "../../fakes/index.js";

/**
 * Checks the shape every operation's event stream must have: it opens with `operation`, ends with
 * exactly one `result`, and every phase that starts ends (ok or failed) before the next one starts.
 * Returns the result.
 */
export function expectWellFormedRun(events: EngineEvent[]): OperationResult {
  expect(events[0]?.type).toBe("operation");
  const last = events[events.length - 1];
  expect(last?.type).toBe("result");
  expect(events.filter((e) => e.type === "result")).toHaveLength(1);
  let open: PhaseName | null = null;
  for (const e of events) {
    if (e.type !== "phase") continue;
    if (e.status === "start") {
      expect(open, `phase ${e.phase} started while ${open ?? ""} was still running`).toBeNull();
      open = e.phase;
    } else if (e.status === "ok" || e.status === "failed") {
      expect(e.phase, `phase ${e.phase} ended without having started`).toBe(open);
      expect(typeof e.ms).toBe("number");
      open = null;
    } else {
      expect(open, `phase ${e.phase} skipped inside ${open ?? ""}`).toBeNull();
    }
  }
  expect(open, `phase ${open ?? ""} never ended`).toBeNull();
  if (last?.type !== "result") throw new Error("no result event");
  return last.result;
}

/** The phases as the result lists them: "build:ok", "drain:skipped"… */
export function phaseTrail(result: OperationResult): string[] {
  return result.phases.map((p) => `${p.phase}:${p.status}`);
}

export function phaseStatus(result: OperationResult, phase: PhaseName): PhaseStatus | undefined {
  return result.phases.find((p) => p.phase === phase)?.status;
}

export function eventsOf<T extends EngineEvent["type"]>(events: EngineEvent[], type: T): Array<Extract<EngineEvent, { type: T }>> {
  return events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
}

/** Runs one engine operation with recording handlers and checks its event stream. */
export async function runOperation(
  op: (handlers: OperationHandlers) => Promise<OperationResult>,
  opts: Parameters<typeof recorder>[0] = {},
): Promise<{ result: OperationResult; events: EngineEvent[]; questions: ConfirmRequest[] }> {
  const rec = recorder(opts);
  const returned = await op(rec.handlers);
  const result = expectWellFormedRun(rec.events);
  expect(result).toEqual(returned);
  return { result, events: rec.events, questions: rec.questions };
}
