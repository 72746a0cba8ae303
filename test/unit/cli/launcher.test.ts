import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const BIN = new URL("../../../bin/bluegreen.cjs", import.meta.url).pathname;
const VERSION = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")).version as string;

/** Runs the launcher; `closeStdout` closes our end of its stdout before it writes, as `| head` does once it has its lines. */
function run(args: string[], closeStdout = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    if (closeStdout) child.stdout.destroy();
    else child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the bluegreen launcher", () => {
  it("answers --version and -V (also after -c FILE) from package.json", async () => {
    for (const args of [["--version"], ["-V"], ["-c", "missing.yml", "--version"], ["--config=missing.yml", "-V"]]) {
      const r = await run(args);
      expect(r).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    }
  });

  it("ends quietly when the reader closes the pipe early (| head), with no EPIPE stack trace", async () => {
    const r = await run(["--help"], true);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(r.code).toBe(0);
  });
});
