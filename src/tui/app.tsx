// First: it must run before React and Ink are loaded (ES modules evaluate in import order).
import "./before-ink.js";
import { render } from "ink";
import { createElement } from "react";
import { App } from "./components/App.js";
import { noColorFromEnv } from "./contexts/theme-context.js";
import type { TuiDeps } from "./types.js";

export type { PlatformLike, EngineLike, HarnessProgress, HarnessRunner, HarnessVerdict, TuiDeps } from "./types.js";
export { TUI_EXIT } from "./components/App.js";

export interface TuiIo {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/**
 * Opens the dashboard on the terminal and resolves with the exit code when the operator quits:
 * 0 for q (or Ctrl-C with nothing running), 130 for a second Ctrl-C during an operation.
 * Ctrl-C is handled by the TUI (the first one aborts the running operation through its signal).
 */
export async function runTui(deps: TuiDeps, io: TuiIo = {}): Promise<number> {
  let code = 0;
  const instance = render(
    // createElement, not JSX: JSX would make TypeScript import react/jsx-runtime above everything,
    // loading React before before-ink.js could set up its environment.
    createElement(App, {
      ...deps,
      noColor: noColorFromEnv(),
      onExit: (c: number) => {
        code = c;
        instance.unmount();
      },
    }),
    {
      exitOnCtrlC: false,
      patchConsole: true,
      ...(io.stdin ? { stdin: io.stdin } : {}),
      ...(io.stdout ? { stdout: io.stdout } : {}),
      ...(io.stderr ? { stderr: io.stderr } : {}),
    },
  );
  await instance.waitUntilExit();
  return code;
}
