import type { OperationHandlers } from "../../src/engine/context.js";
import type { ConfirmRequest, EngineEvent } from "../../src/engine/events.js";

export interface Recorder {
  handlers: OperationHandlers;
  events: EngineEvent[];
  questions: ConfirmRequest[];
  controller: AbortController;
}

/**
 * Operation handlers that record every event and answer every confirmation with `answer` (yes by default).
 * `onEvent` sees each event as it is emitted (e.g. to abort when a phase starts).
 */
export function recorder(
  opts: {
    answer?: boolean;
    /** The confirmer cannot ask (no terminal): it rejects with this message. */
    confirmFails?: string;
    onEvent?: (event: EngineEvent, controller: AbortController) => void;
  } = {},
): Recorder {
  const controller = new AbortController();
  const events: EngineEvent[] = [];
  const questions: ConfirmRequest[] = [];
  return {
    events,
    questions,
    controller,
    handlers: {
      emit: (event) => {
        events.push(event);
        opts.onEvent?.(event, controller);
      },
      confirm: async (request) => {
        questions.push(request);
        if (opts.confirmFails) throw new Error(opts.confirmFails);
        return opts.answer ?? true;
      },
      signal: controller.signal,
    },
  };
}
