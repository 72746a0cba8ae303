import { useCallback, useReducer, useRef } from "react";
import type { OperationHandlers } from "../../engine/context.js";
import type { ConfirmRequest, EngineEvent, OperationName, OperationResult } from "../../engine/events.js";
import { initialOperationState, reduceOperation, type OperationAction, type OperationState } from "../state/operation-state.js";
import type { HarnessRunner } from "../types.js";

export interface StartOptions {
  operation: OperationName;
  title: string;
  run: (handlers: OperationHandlers) => Promise<OperationResult>;
  /** The operator already chose (conflict resolver): confirmations are answered yes. */
  autoConfirm?: boolean;
  /** Wrap the operation in the load harness and show its live figures. */
  harness?: HarnessRunner;
}

export interface OperationControl {
  state: OperationState | null;
  running: boolean;
  start(opts: StartOptions): void;
  /** Answer the pending confirmation. */
  answer(yes: boolean): void;
  /** Ctrl-C: abort the running operation. "already" when it was aborted before, "idle" when nothing runs. */
  abort(): "aborted" | "already" | "idle";
  /** Back to the dashboard once finished. */
  dismiss(): void;
}

type Action = OperationAction | { type: "start"; state: OperationState } | { type: "dismiss" };

function reducer(state: OperationState | null, action: Action): OperationState | null {
  if (action.type === "start") return action.state;
  if (action.type === "dismiss") return null;
  return state ? reduceOperation(state, action) : state;
}

/**
 * Runs one engine operation at a time: turns its events into the operation screen's state, holds
 * the pending confirmation until the operator answers, and aborts it through its AbortSignal.
 */
export function useOperation(onEvent: (event: EngineEvent) => void): OperationControl {
  const [state, dispatch] = useReducer(reducer, null);
  const controller = useRef<AbortController | null>(null);
  const pendingConfirm = useRef<((yes: boolean) => void) | null>(null);
  const runningRef = useRef(false);
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;

  const answer = useCallback((yes: boolean) => {
    const resolve = pendingConfirm.current;
    if (!resolve) return;
    pendingConfirm.current = null;
    dispatch({ type: "confirm-answered" });
    resolve(yes);
  }, []);

  const start = useCallback((opts: StartOptions) => {
    if (runningRef.current) return;
    runningRef.current = true;
    const abort = new AbortController();
    controller.current = abort;
    dispatch({ type: "start", state: initialOperationState(opts.operation, opts.title, Date.now(), Boolean(opts.harness)) });

    const handlers: OperationHandlers = {
      signal: abort.signal,
      emit: (event) => {
        dispatch({ type: "engine", event, now: Date.now() });
        onEventRef.current(event);
      },
      confirm: (request: ConfirmRequest) => {
        if (opts.autoConfirm) return Promise.resolve(true);
        if (abort.signal.aborted) return Promise.resolve(false);
        return new Promise<boolean>((resolve) => {
          pendingConfirm.current = resolve;
          dispatch({ type: "confirm-asked", request });
        });
      },
    };

    const runOnce = () => opts.run(handlers);
    const work = opts.harness
      ? opts.harness(runOnce, { signal: abort.signal, onProgress: (progress) => dispatch({ type: "harness-progress", progress }) }).then((verdict) =>
          dispatch({ type: "harness-verdict", verdict }),
        )
      : runOnce();
    work
      .catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        dispatch({ type: "crash", message });
      })
      .finally(() => {
        runningRef.current = false;
        controller.current = null;
        pendingConfirm.current = null;
        dispatch({ type: "finished" });
      });
  }, []);

  const abort = useCallback(() => {
    const current = controller.current;
    if (!current || !runningRef.current) return "idle";
    if (current.signal.aborted) return "already";
    current.abort();
    dispatch({ type: "aborting" });
    // A question still open would block the engine from reaching its safe stop: answer no.
    answer(false);
    return "aborted";
  }, [answer]);

  const dismiss = useCallback(() => {
    if (runningRef.current) return;
    dispatch({ type: "dismiss" });
  }, []);

  return { state, running: state !== null && !state.finished, start, answer, abort, dismiss };
}
