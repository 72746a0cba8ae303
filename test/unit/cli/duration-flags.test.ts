import { PassThrough } from "node:stream";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ExitCode } from "../../../src/domain/exit-codes.js";

/** Records every attempt to open the stack (config, state, Docker): a refused flag must never get there. */
const opened = vi.hoisted(() => ({ calls: [] as string[] }));
vi.mock("../../../src/cli/open-stack.js", () => ({
  openStack: async (file: string) => {
    opened.calls.push(file);
    throw new Error("the stack was opened");
  },
}));

const { main } = await import("../../../src/cli/main.js");
const { parseBaseline, parseMaxStall, parseMeasuredDuration } = await import("../../../src/cli/commands/verify.js");

async function cli(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await main(["-c", "/nonexistent/bluegreen.yml", ...args], { stdin: new PassThrough(), stdout, stderr });
  return { code, stdout: out, stderr: err };
}

beforeEach(() => {
  opened.calls.length = 0;
});

/** Every CLI flag that takes a duration, with a value in its range and one past it. */
const FLAGS = [
  { flag: "--duration", inRange: "90s", outOfRange: "0", bounds: 'must be from 1s to 1h, got "0" (0ms)' },
  { flag: "--baseline", inRange: "1.5", outOfRange: "20m", bounds: 'must be from 1s to 10m, got "20m" (20m)' },
  { flag: "--max-stall", inRange: "150ms", outOfRange: "5ms", bounds: 'must be from 10ms to 1m, got "5ms" (5ms)' },
] as const;

describe("CLI duration flags go through the one duration parser", () => {
  it.each(FLAGS)("$flag refuses a value that is not a duration, naming the flag, before anything is opened", async ({ flag }) => {
    const run = await cli(["verify", flag, "fast", "--", "switch", "--yes"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain(`usage error — nothing was changed: ${flag} "fast" is not a duration; use seconds (120) or a number with a unit (500ms, 30s, 2m)`);
    expect(opened.calls).toEqual([]);
  });

  it.each(FLAGS)("$flag refuses a duration outside its range, naming the flag and the bounds, before anything is opened", async ({ flag, outOfRange, bounds }) => {
    const run = await cli(["verify", flag, outOfRange, "--", "switch", "--yes"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain(`${flag} ${bounds}`);
    expect(opened.calls).toEqual([]);
  });

  it.each(FLAGS)("$flag accepts a value in range and goes on to open the stack", async ({ flag, inRange }) => {
    const run = await cli(["verify", flag, inRange, "--", "switch", "--yes"]);
    expect(run.stderr).toContain("the stack was opened");
    expect(opened.calls).toEqual(["/nonexistent/bluegreen.yml"]);
  });

  it("reads the config's units, and a bare number as seconds (the grammar of the environment overrides)", () => {
    expect(parseMeasuredDuration("5")).toBe(5000);
    expect(parseMeasuredDuration("1m30s")).toBe(90_000);
    expect(parseBaseline("1.5")).toBe(1500);
    expect(parseMaxStall("150ms")).toBe(150);
    expect(parseMaxStall("1")).toBe(1000);
  });
});
