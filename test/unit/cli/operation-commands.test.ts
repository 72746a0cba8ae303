import { PassThrough } from "node:stream";
import type { Command } from "commander";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ExitCode } from "../../../src/domain/exit-codes.js";
import type { OperationResult } from "../../../src/engine/events.js";

/** The engine calls the commands make, with their arguments: what the registration must pass through. */
const engine = vi.hoisted(() => {
  const calls: Array<[string, unknown]> = [];
  const op = (name: string) => async (...args: unknown[]): Promise<OperationResult> => {
    calls.push([name, args.length > 1 ? args[0] : null]);
    return { operation: name as OperationResult["operation"], outcome: "success", message: `${name} done`, active: "blue", from: { color: "blue", version: "v1" }, to: { color: "blue", version: "v1" }, phases: [], durationMs: 1 };
  };
  const names = ["deploy", "switch", "rollback", "cleanup", "resolve", "migrate", "up", "down", "shared"];
  return { calls, fake: Object.fromEntries(names.map((n) => [n, op(n)])) };
});
vi.mock("../../../src/cli/open-stack.js", () => ({ openStack: async () => ({ engine: engine.fake, config: {}, ports: {} }) }));

const { buildProgram, main } = await import("../../../src/cli/main.js");

async function cli(args: string[], opts: { tty?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await main(args, { stdin, stdout, stderr });
  return { code, stdout: out, stderr: err };
}

beforeEach(() => {
  engine.calls.length = 0;
});

const CHANGING: Array<{ args: string[]; what: string; call: [string, unknown] }> = [
  { args: ["deploy", "--version", "v2"], what: "deploying v2", call: ["deploy", { version: "v2" }] },
  { args: ["switch"], what: "switching live traffic", call: ["switch", null] },
  { args: ["rollback"], what: "rolling back", call: ["rollback", null] },
  { args: ["cleanup"], what: "removing the inactive color", call: ["cleanup", null] },
  { args: ["resolve", "--keep", "green"], what: "resolving the conflict", call: ["resolve", { keep: "green" }] },
  { args: ["migrate", "--contract"], what: "migrating the shared services' schema", call: ["migrate", { contract: true }] },
  { args: ["down", "--volumes"], what: "taking the stack down", call: ["down", { volumes: true }] },
  { args: ["shared", "restart", "proxy"], what: "restarting proxy", call: ["shared", { service: "proxy", mode: "restart" }] },
  { args: ["shared", "reload", "proxy"], what: "reloading proxy", call: ["shared", { service: "proxy", mode: "reload" }] },
];

describe("the operation commands (one registration for all of them)", () => {
  it("each takes --yes, --json and --verbose", () => {
    const program = buildProgram({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, () => undefined);
    const find = (path: string[]): Command | undefined => path.reduce<Command | undefined>((cmd, name) => cmd?.commands.find((c) => c.name() === name), program);
    for (const path of [["deploy"], ["switch"], ["rollback"], ["cleanup"], ["resolve"], ["migrate"], ["up"], ["down"], ["shared", "restart"], ["shared", "reload"]]) {
      expect(find(path)?.options.map((o) => o.long), path.join(" ")).toEqual(expect.arrayContaining(["--yes", "--json", "--verbose"]));
    }
  });

  it.each(CHANGING)("$args.0 without a terminal and without --yes refuses, naming what it would do, and never reaches the engine", async ({ args, what }) => {
    const run = await cli(args);
    expect(run.code).toBe(ExitCode.NotConfirmed);
    expect(run.stderr).toContain(`bluegreen: ${what} needs a confirmation and there is no terminal to ask on — nothing was changed.`);
    expect(engine.calls).toEqual([]);
  });

  it.each(CHANGING)("$args.0 with --yes passes its arguments to the engine and exits with its result", async ({ args, call }) => {
    const run = await cli([...args, "--yes"]);
    expect(run.code).toBe(ExitCode.Success);
    expect(engine.calls).toEqual([call]);
  });

  it("--json cannot prompt: it needs --yes even on a terminal", async () => {
    const run = await cli(["switch", "--json"], { tty: true });
    expect(run.code).toBe(ExitCode.NotConfirmed);
    expect(run.stderr).toContain("--json output cannot prompt");
    expect(engine.calls).toEqual([]);
  });

  it("up asks nothing, so it runs without --yes and without a terminal", async () => {
    const run = await cli(["up", "--version", "v3"]);
    expect(run.code).toBe(ExitCode.Success);
    expect(engine.calls).toEqual([["up", { version: "v3" }]]);
  });

  it.each([
    ["deploy", ["deploy", "--version", "../x", "--yes"]],
    ["up", ["up", "--version", "a b"]],
    ["verify -- deploy", ["verify", "--", "deploy", "--version", "v1;x", "--yes"]],
  ])("%s refuses an invalid --version with the one message, before the engine runs", async (_name, args) => {
    const run = await cli(args);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(/usage error — nothing was changed: invalid --version ".*": use letters, digits, '\.', '_' or '-'/);
    expect(engine.calls).toEqual([]);
  });
});
