/**
 * Structural claims of "one of each": the harness does not reach into the CLI, and concepts with a
 * single implementation are not written again elsewhere. Read from the tracked source files.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import ts from "typescript";
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

/** The source files under `dirs`, tracked or new (not ignored), repo-relative with "/". */
function sourceFiles(dirs: string[]): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", ...dirs], { cwd: REPO, encoding: "utf8" });
  return [...new Set(out.split("\n").filter((f) => /\.(c|m)?[jt]sx?$/.test(f)))];
}

/**
 * Every module specifier `source` (the text of repo file `file`) imports or re-exports, static or
 * dynamic, read by TypeScript's own scanner (not a regex), and where each relative one lands in
 * the repo ("faults/registry.ts"); a bare one (a package) lands nowhere.
 */
function importsOf(file: string, source: string): { specifier: string; target: string | null }[] {
  return ts.preProcessFile(source, true, true).importedFiles.map(({ fileName: specifier }) => ({
    specifier,
    target: specifier.startsWith(".") ? relative(REPO, resolve(REPO, dirname(file), specifier)).split(sep).join("/") : null,
  }));
}

/** The imports of `file` that land under the top-level directory `forbidden`, as "file: specifier". */
function importsInto(file: string, source: string, forbidden: string): string[] {
  return importsOf(file, source)
    .filter((i) => i.target !== null && (i.target === forbidden || i.target.startsWith(`${forbidden}/`)))
    .map((i) => `${file}: ${i.specifier}`);
}

describe("module boundaries", () => {
  it("the engine reaches Docker, compose, the proxies and the files only through its ports: it imports adapters for their types, never their code", () => {
    const adapters = ["src/docker", "src/platform", "src/proxy", "src/state", "src/fs", "src/cli", "src/tui", "src/hooks", "src/drain", "src/launch"];
    const offending: string[] = [];
    for (const file of sourceFiles(["src/engine"])) {
      const source = readFileSync(resolve(REPO, file), "utf8");
      // Type-only imports vanish at build time; what is left is what the engine runs.
      const runtime = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } }).outputText;
      for (const dir of adapters) offending.push(...importsInto(file, runtime, dir));
    }
    expect(offending).toEqual([]);
  });

  it("the boundary check above sees a runtime import of an adapter and ignores a type-only one", () => {
    const runtime = (src: string) => ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const used = 'import { createDockerPort } from "../docker/dockerode-port.js";\nexport const d = createDockerPort;';
    const typed = 'import type { DockerPort } from "../docker/types.js";\nexport let d: DockerPort | null = null;';
    expect(importsInto("src/engine/x.ts", runtime(used), "src/docker")).toEqual(["src/engine/x.ts: ../docker/dockerode-port.js"]);
    expect(importsInto("src/engine/x.ts", runtime(typed), "src/docker")).toEqual([]);
  });

  it("smoke/ and load/ import nothing from src/cli/ (what both need lives in a shared module)", () => {
    expect(grep(String.raw`from "(\.\./)+src/cli/`, ["smoke", "load"])).toEqual([]);
  });

  it("the import matcher sees every kind of import, and only real ones", () => {
    const sample = [
      'import { scenarios } from "../../../faults/registry.js";',
      'import type { Scenario } from "../../../faults/types.js";',
      'export { report } from "../../../faults/report.js";',
      'import "../../../faults/runtime/setup.js";',
      'const late = await import("../../../faults/main.js");',
      'import { run } from "../../../testkit/demo-stack.js";',
      'import { describe } from "vitest";',
      '// import { not } from "../../../faults/commented.js";',
      'const text = "from \\"../../../faults/in-a-string.js\\"";',
    ].join("\n");
    expect(importsInto("test/unit/x/sample.test.ts", sample, "faults")).toEqual([
      "test/unit/x/sample.test.ts: ../../../faults/registry.js",
      "test/unit/x/sample.test.ts: ../../../faults/types.js",
      "test/unit/x/sample.test.ts: ../../../faults/report.js",
      "test/unit/x/sample.test.ts: ../../../faults/runtime/setup.js",
      "test/unit/x/sample.test.ts: ../../../faults/main.js",
    ]);
    // Relative to the importing file: from faults/, "../test/…" is test/; "./test/…" is not.
    expect(importsInto("faults/runtime/x.ts", 'import { a } from "../../test/helpers/a.js";\nimport { b } from "./test/b.js";', "test")).toEqual(["faults/runtime/x.ts: ../../test/helpers/a.js"]);
    // testkit/ is theirs to share: not a test/ import, though the name starts the same.
    expect(importsInto("faults/x.ts", 'import { c } from "../testkit/c.js";', "test")).toEqual([]);
  });

  it("faults/ imports nothing from test/ and test/ nothing from faults/ (what both need lives in testkit/)", () => {
    const faults = sourceFiles(["faults"]);
    const tests = sourceFiles(["test"]);
    expect(faults.length).toBeGreaterThan(5);
    expect(tests.length).toBeGreaterThan(50);
    const read = (f: string) => readFileSync(resolve(REPO, f), "utf8");
    const crossings = [...faults.flatMap((f) => importsInto(f, read(f), "test")), ...tests.flatMap((f) => importsInto(f, read(f), "faults"))];
    expect(crossings).toEqual([]);
    // The scan reads real imports: both sides do reach testkit/.
    const intoTestkit = (files: string[]) => files.filter((f) => importsInto(f, read(f), "testkit").length > 0).length;
    expect(intoTestkit(faults)).toBeGreaterThan(0);
    expect(intoTestkit(tests)).toBeGreaterThan(0);
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

  it("one version pattern: no module but src/engine/operations/deploy.ts defines it; the CLI and the TUI import it", () => {
    // The definition (VERSION_PATTERN = …, or another *VERSION*PATTERN/RE name), or the regex literal's
    // length rule written again ({0,127} after the first character, or {1,128}).
    const definitions = grep(String.raw`\w*VERSION\w*_(PATTERN|RE|REGEXP?)\b *(: *RegExp *)?=|\{0,127\}|\{1,128\}`, ["src", "smoke", "load", "bench", "faults", "testkit"]);
    const elsewhere = definitions.filter((l) => !l.startsWith("src/engine/operations/deploy.ts:"));
    expect(elsewhere).toEqual([]);
    // The grep does find the one definition (so it would find another).
    expect(definitions.some((l) => /export const VERSION_PATTERN = \//.test(l))).toBe(true);
    for (const user of ["src/cli/usage.ts", "src/tui/components/DeployFlow.tsx"]) {
      expect(grep(String.raw`import \{[^}]*\bVERSION_PATTERN\b[^}]*\} from "(\.\./)+engine/operations/deploy\.js"`, [user]), user).toHaveLength(1);
    }
  });
});
