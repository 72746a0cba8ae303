import { Box } from "ink";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Color } from "../../domain/color.js";
import type { OperationHandlers } from "../../engine/context.js";
import type { EngineEvent, OperationName, OperationResult } from "../../engine/events.js";
import { makeTheme, ThemeContext } from "../contexts/theme-context.js";
import { useEventLog } from "../hooks/use-event-log.js";
import { useNow } from "../hooks/use-now.js";
import { useOperation } from "../hooks/use-operation.js";
import { useStackStatus, type StackStatusOptions } from "../hooks/use-stack-status.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import { dashboardBanners } from "../state/banners.js";
import { describeEngineEvent } from "../state/event-log.js";
import { moveSelection, selectableContainers } from "../state/selection.js";
import type { TuiDeps } from "../types.js";
import { ConflictResolver } from "./ConflictResolver.js";
import { Dashboard } from "./Dashboard.js";
import { DeployFlow } from "./DeployFlow.js";
import { Header } from "./Header.js";
import { HelpOverlay } from "./HelpOverlay.js";
import { KeysProvider } from "./KeysProvider.js";
import { LogsView } from "./LogsView.js";
import { OperationView } from "./OperationView.js";
import { Txt } from "./Txt.js";
import { VerifyMenu, type VerifiedOperation } from "./VerifyMenu.js";
import { useKeys } from "../hooks/use-keys.js";

/** Exit codes runTui resolves with (the CLI's own: 0 success, 130 interrupted). */
export const TUI_EXIT = { quit: 0, interrupted: 130 } as const;

/** How long an unhealthy live color must last before the resolver opens by itself. */
export const TRANSIENT_CONFLICT_HOLD_MS = 10_000;

type Screen =
  | { kind: "dashboard" }
  | { kind: "deploy"; underLoad: boolean }
  | { kind: "verify-menu" }
  | { kind: "resolver" }
  | { kind: "help" }
  | { kind: "logs"; container: string };

export interface AppProps extends TuiDeps {
  onExit(code: number): void;
  /** Defaults to process.env.NO_COLOR. */
  noColor?: boolean;
  statusOptions?: StackStatusOptions;
}

const TITLES: Record<Exclude<OperationName, "status" | "deploy">, string> = {
  switch: "Switch live traffic",
  rollback: "Roll back",
  cleanup: "Clean up the standby color",
  resolve: "Resolve the conflict",
  migrate: "Run the migration",
  up: "Bring the stack up",
  down: "Take the stack down",
  shared: "Roll out a shared service",
};

/** The whole TUI: screens over one root key listener. */
export function App(props: AppProps) {
  return (
    <KeysProvider>
      <Screens {...props} />
    </KeysProvider>
  );
}

function Screens(props: AppProps) {
  const { engine, platform, stackName, harness, onExit } = props;
  const theme = useMemo(() => makeTheme(props.noColor ?? Boolean(process.env.NO_COLOR)), [props.noColor]);
  const { columns, rows } = useTerminalSize();
  const log = useEventLog();
  const stack = useStackStatus(engine, platform, log, props.statusOptions);
  // Uptimes show seconds only in their first minute: tick faster only while one does. Every 5 s,
  // not every second: each tick redraws the whole screen, and idle CPU must stay near zero.
  const [fastClock, setFastClock] = useState(false);
  const now = useNow(fastClock ? 5000 : 30_000);
  const youngest = Math.max(0, ...selectableContainers(stack.status).map((c) => (c.state === "running" && c.startedAt ? Date.parse(c.startedAt) || 0 : 0)));
  const wantFast = Date.now() - youngest < 61_000;
  if (wantFast !== fastClock) setFastClock(wantFast);
  const [screen, setScreen] = useState<Screen>({ kind: "dashboard" });
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const dismissedConflicts = useRef<string | null>(null);

  const { push } = log;
  const { requestRefresh, accept } = stack;
  const onEngineEvent = useCallback(
    (event: EngineEvent) => {
      const line = describeEngineEvent(event);
      if (line) push("engine", line.text, line.tone);
      if (event.type === "status") accept(event.status);
      // The proxy's target changes without a Docker event: re-read after every step.
      if ((event.type === "phase" && event.status !== "start") || event.type === "result") requestRefresh();
    },
    [push, accept, requestRefresh],
  );
  const op = useOperation(onEngineEvent);

  const status = stack.status;
  const names = selectableContainers(status).map((c) => c.name);
  const current = selected && names.includes(selected) ? selected : (names[0] ?? null);
  // Input handlers can run before React re-subscribes them: move from the latest list, not a closure's.
  const namesRef = useRef(names);
  namesRef.current = names;
  const move = useCallback((delta: number) => {
    setSelected((prev) => {
      const list = namesRef.current;
      return moveSelection(list, prev && list.includes(prev) ? prev : (list[0] ?? null), delta);
    });
  }, []);

  // Open the resolver by itself once for each new set of conflicts; Esc dismisses that set.
  const conflictKey = status && status.conflicts.length > 0 ? status.conflicts.map((c) => `${c.kind}:${c.recommend ?? "-"}`).join(",") : null;
  // A live color that is unhealthy for a moment (a slow health check on a busy host) is shown by the
  // banner at once, but only takes over the screen when it lasts: a flapping check must not keep
  // popping a dialog over the dashboard and swallowing the operator's keys.
  const healthOnly = status !== null && status.conflicts.length > 0 && status.conflicts.every((c) => c.kind === "proxy-target-unhealthy");
  useEffect(() => {
    if (!conflictKey) {
      if (screen.kind === "resolver") setScreen({ kind: "dashboard" });
      return;
    }
    if (screen.kind !== "dashboard" || op.state || dismissedConflicts.current === conflictKey) return;
    if (!healthOnly) {
      setScreen({ kind: "resolver" });
      return;
    }
    const timer = setTimeout(() => setScreen((s) => (s.kind === "dashboard" ? { kind: "resolver" } : s)), TRANSIENT_CONFLICT_HOLD_MS);
    return () => clearTimeout(timer);
  }, [conflictKey, healthOnly, screen.kind, op.state]);

  const startOperation = useCallback(
    (operation: OperationName, title: string, run: (h: OperationHandlers) => Promise<OperationResult>, opts: { autoConfirm?: boolean; underLoad?: boolean } = {}) => {
      setNotice(null);
      setScreen({ kind: "dashboard" });
      op.start({ operation, title, run, ...(opts.autoConfirm ? { autoConfirm: true } : {}), ...(opts.underLoad && harness ? { harness } : {}) });
    },
    [op, harness],
  );

  const runSimple = useCallback(
    (kind: "switch" | "rollback" | "cleanup", underLoad = false) => {
      const title = underLoad ? `${TITLES[kind]} under load` : TITLES[kind];
      const run = kind === "switch" ? (h: OperationHandlers) => engine.switch(h) : kind === "rollback" ? (h: OperationHandlers) => engine.rollback(h) : (h: OperationHandlers) => engine.cleanup(h);
      startOperation(kind, title, run, { underLoad });
    },
    [engine, startOperation],
  );

  const quit = useCallback((code: number) => onExit(code), [onExit]);

  // Ctrl-C: abort the running operation through its signal; a second one (or none running) quits.
  useKeys((input, key) => {
    if (!(key.ctrl && input === "c")) return;
    const outcome = op.abort();
    if (outcome === "aborted") {
      push("tui", "Ctrl-C: aborting; the engine stops at its next safe point (Ctrl-C again quits now)", "warn");
      return;
    }
    quit(outcome === "already" ? TUI_EXIT.interrupted : TUI_EXIT.quit);
  });

  // A finished operation's screen: back to the dashboard or quit.
  useKeys(
    (input, key) => {
      if (key.ctrl) return;
      if (key.return || key.escape) {
        op.dismiss();
        requestRefresh();
      } else if (input === "q") quit(TUI_EXIT.quit);
    },
    op.state !== null && op.state.finished,
  );

  // The dashboard's keys.
  useKeys(
    (input, key) => {
      if (key.ctrl || key.meta) return;
      if (key.upArrow || key.leftArrow || (key.tab && key.shift)) return move(-1);
      if (key.downArrow || key.rightArrow || key.tab) return move(1);
      setNotice(null);
      if (input === "q") return quit(TUI_EXIT.quit);
      if (input === "?") return setScreen({ kind: "help" });
      if (input === "l") return current ? setScreen({ kind: "logs", container: current }) : setNotice("no container selected: there are none yet");
      if (!status && "dscvx".includes(input) && input !== "") return setNotice("still reading the stack's status; try again in a moment");
      if (input === "d") return setScreen({ kind: "deploy", underLoad: false });
      if (input === "s") return runSimple("switch");
      if (input === "r") return runSimple("rollback");
      if (input === "c") return runSimple("cleanup");
      if (input === "v") {
        return harness
          ? setScreen({ kind: "verify-menu" })
          : setNotice("verify needs the load harness, which this session was started without: run `bluegreen verify -- deploy --version V` in a shell");
      }
      if (input === "x") return status?.conflicts.length ? setScreen({ kind: "resolver" }) : setNotice("nothing to resolve: the stack agrees with itself");
    },
    screen.kind === "dashboard" && op.state === null,
  );

  const back = useCallback(() => setScreen({ kind: "dashboard" }), []);

  const body = (() => {
    if (op.state) return <OperationView op={op.state} columns={columns} rows={rows - 1} onAnswer={op.answer} />;
    if (screen.kind === "help") return <HelpOverlay width={columns} onClose={back} />;
    if (screen.kind === "logs") return <LogsView platform={platform} container={screen.container} columns={columns} rows={rows - 1} onClose={back} />;
    if (screen.kind === "verify-menu")
      return (
        <VerifyMenu
          width={columns}
          onCancel={back}
          onPick={(picked: VerifiedOperation) => (picked === "deploy" ? setScreen({ kind: "deploy", underLoad: true }) : runSimple(picked, true))}
        />
      );
    if (screen.kind === "deploy" && status)
      return (
        <DeployFlow
          status={status}
          width={columns}
          title={screen.underLoad ? "Deploy under load (verify)" : "Deploy"}
          onCancel={back}
          onStart={(version) => startOperation("deploy", `Deploy ${version}${screen.underLoad ? " under load" : ""}`, (h) => engine.deploy({ version }, h), { underLoad: screen.underLoad })}
        />
      );
    if (screen.kind === "resolver" && status && status.conflicts.length > 0)
      return (
        <ConflictResolver
          status={status}
          width={columns}
          now={now}
          onCancel={() => {
            dismissedConflicts.current = conflictKey;
            back();
          }}
          onKeep={(keep: Color | null) => {
            dismissedConflicts.current = conflictKey;
            startOperation("resolve", keep ? `${TITLES.resolve}: keep ${keep}` : TITLES.resolve, (h) => engine.resolve({ keep }, h), { autoConfirm: true });
          }}
        />
      );
    return null;
  })();

  return (
    <ThemeContext.Provider value={theme}>
      {body ? (
        <Box flexDirection="column" width={columns}>
          <Header stackName={stackName} status={status} stream={stack.stream} width={columns} />
          {op.state === null
            ? dashboardBanners(status, stack.error, stack.stream).map((b) => (
                <Txt key={b.text} tone={b.tone}>
                  {b.text}
                </Txt>
              ))
            : null}
          {body}
        </Box>
      ) : (
        <Dashboard
          stackName={stackName}
          status={status}
          error={stack.error}
          stream={stack.stream}
          events={log.entries}
          selected={current}
          columns={columns}
          rows={rows}
          now={now}
          notice={notice}
        />
      )}
    </ThemeContext.Provider>
  );
}
