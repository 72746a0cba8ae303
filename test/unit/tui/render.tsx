import { EventEmitter } from "node:events";
import { render as inkRender } from "ink";
import type { ReactElement } from "react";
import { App, type AppProps } from "../../../src/tui/components/App.js";
import { FakeDocker, FakeEngine } from "./fakes.js";

/** ink-testing-library's stdout with a settable size (its own is fixed at 100 columns). */
class SizedStdout extends EventEmitter {
  frames: string[] = [];
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
  lastFrame = () => this.frames[this.frames.length - 1] ?? "";
  resize(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit("resize");
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  data: string | null = null;
  write = (data: string) => {
    this.data = data;
    this.emit("readable");
    this.emit("data", data);
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const { data } = this;
    this.data = null;
    return data;
  };
}

export interface Rendered {
  stdout: SizedStdout;
  stdin: FakeStdin;
  lastFrame(): string;
  frames(): string[];
  unmount(): void;
}

export function renderSized(tree: ReactElement, columns = 100, rows = 30): Rendered {
  const stdout = new SizedStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new SizedStdout(columns, rows) as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return { stdout, stdin, lastFrame: stdout.lastFrame, frames: () => stdout.frames, unmount: () => instance.unmount() };
}

export interface AppHarness extends Rendered {
  engine: FakeEngine;
  docker: FakeDocker;
  exits: number[];
}

export function renderApp(opts: { engine?: FakeEngine; columns?: number; rows?: number; noColor?: boolean; harness?: AppProps["harness"] } = {}): AppHarness {
  const engine = opts.engine ?? new FakeEngine();
  const docker = new FakeDocker();
  const exits: number[] = [];
  const r = renderSized(
    <App
      engine={engine}
      platform={docker}
      stackName="demo"
      noColor={opts.noColor ?? true}
      statusOptions={{ debounceMs: 30 }}
      onExit={(code) => exits.push(code)}
      {...(opts.harness ? { harness: opts.harness } : {})}
    />,
    opts.columns ?? 100,
    opts.rows ?? 30,
  );
  return { ...r, engine, docker, exits };
}

/** Polls until `check` passes (frames change asynchronously), failing with the last frame. */
export async function waitFor(check: () => boolean, what: string, frame: () => string, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
}

export async function waitForText(r: Rendered, text: string, timeoutMs = 2000): Promise<void> {
  await waitFor(() => r.lastFrame().includes(text), JSON.stringify(text), r.lastFrame, timeoutMs);
}

/** Let Ink's input handling and React's updates run. */
export const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

export async function press(r: Rendered, keys: string): Promise<void> {
  r.stdin.write(keys);
  await tick();
}

export const KEY = { enter: "\r", escape: "\u001b", ctrlC: "\u0003", tab: "\t", down: "\u001b[B", backspace: "\u007f" } as const;
