/**
 * Structural claims of "one of each": the harness does not reach into the CLI, and concepts with a
 * single implementation are not written again elsewhere. Read from the tracked source files.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../../..");

/** `git grep -n -E pattern -- paths`, as lines ("file:line:text"); none → []. */
function grep(pattern: string, paths: string[]): string[] {
  try {
    return execFileSync("git", ["grep", "-n", "-E", pattern, "--", ...paths], { cwd: REPO, encoding: "utf8" }).split("\n").filter(Boolean);
  } catch (err) {
    if ((err as { status?: number }).status === 1) return [];
    throw err;
  }
}

describe("module boundaries", () => {
  it("smoke/ and load/ import nothing from src/cli/ (what both need lives in a shared module)", () => {
    expect(grep(String.raw`from "(\.\./)+src/cli/`, ["smoke", "load"])).toEqual([]);
  });
});

describe("one implementation of each concept", () => {
  it("one XML escape: no module but src/report/xml.ts defines one", () => {
    expect(grep(String.raw`function escapeXml|&amp;`, ["src", "smoke", "load", "bench", "faults"]).filter((l) => !l.startsWith("src/report/xml.ts:"))).toEqual([]);
  });

  it("one duration parser: no module but src/config/duration.ts parses durations", () => {
    expect(grep(String.raw`function parse\w*Duration`, ["src", "smoke", "load", "bench", "faults"]).filter((l) => !l.startsWith("src/config/duration.ts:"))).toEqual([]);
  });

  it("Docker's log frames are split by dockerode's own demuxStream, not a hand-written parser", () => {
    expect(grep(String.raw`readUInt32BE|demuxBuffer`, ["src"])).toEqual([]);
    expect(grep(String.raw`modem\.demuxStream`, ["src/docker"]).length).toBeGreaterThanOrEqual(2);
  });

  it("ANSI escapes are removed with util.stripVTControlCharacters, not a partial regex", () => {
    expect(grep(String.raw`/\\u001b\\\[|/\\x1b\\\[`, ["src", "smoke", "load"])).toEqual([]);
  });

  it("one plain status renderer: no module but src/cli/render/status-text.ts renders the status as text", () => {
    expect(grep(String.raw`function render\w*Status\w*\(`, ["src", "smoke", "load"]).filter((l) => !l.startsWith("src/cli/render/status-text.ts:"))).toEqual([]);
  });

  it("one history entry type: the engine's port and the history file share it", () => {
    expect(grep(String.raw`(interface|type) HistoryEntry\b *[={]`, ["src"])).toHaveLength(1);
  });
});
