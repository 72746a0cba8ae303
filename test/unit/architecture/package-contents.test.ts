/**
 * What `npm pack` ships: the CLI (bin/ and the compiled dist/), never the harnesses (bench/, faults/,
 * testkit/, test/) nor their compiled copies in dist/. Read from `npm pack --dry-run --json
 * --ignore-scripts`, which lists the files of package.json's "files" without building anything.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../../..");

/** Shipped paths must not start with any of these. */
const NEVER_SHIPPED = ["dist/bench/", "dist/faults/", "dist/testkit/", "dist/test/", "bench/", "faults/", "testkit/", "test/"];
/** The launcher and the bundled CLI it loads. */
const MUST_SHIP = ["bin/bluegreen.cjs", "dist/cli/bluegreen.cjs", "dist/cli/launch.cjs"];

/** The paths `npm pack` would put in the tarball of the package in `dir` (nothing is built or written). */
function packedPaths(dir: string): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 30_000,
  });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  if (!pack) throw new Error(`npm pack --dry-run --json printed no package: ${out}`);
  return pack.files.map((f) => f.path).sort();
}

const harness = (paths: string[]) => paths.filter((p) => NEVER_SHIPPED.some((prefix) => p.startsWith(prefix)));

const cleanups: string[] = [];
afterAll(async () => {
  for (const dir of cleanups) await rm(dir, { recursive: true, force: true });
});

describe("package contents (npm pack)", () => {
  it("the repo's package ships the launcher and the bundled CLI, and none of the harnesses", () => {
    if (!existsSync(join(REPO, "dist/cli/bluegreen.cjs"))) {
      throw new Error("dist/cli/bluegreen.cjs is missing: build first (`npm run build`; `npm test` builds in its pretest)");
    }
    const paths = packedPaths(REPO);
    expect(harness(paths)).toEqual([]);
    for (const path of MUST_SHIP) expect(paths).toContain(path);
  });

  it('package.json\'s "files" leave out compiled harnesses even when a build put them in dist/', async () => {
    // A package of the repo's package.json over a tree holding every kind of path, wanted or not: the
    // repo's own dist/ may not hold dist/bench and the like today, a stale or wider build could.
    const dir = await mkdtemp(join(tmpdir(), "bg-pack-"));
    cleanups.push(dir);
    await copyFile(join(REPO, "package.json"), join(dir, "package.json"));
    const tree = [
      ...MUST_SHIP,
      "dist/src/engine/operations/deploy.js",
      "dist/bench/main.js",
      "dist/faults/main.js",
      "dist/testkit/demo-stack.js",
      "dist/test/unit/state/ports.test.js",
      "bench/main.ts",
      "faults/main.ts",
      "testkit/demo-stack.ts",
      "test/unit/state/ports.test.ts",
    ];
    for (const path of tree) {
      await mkdir(join(dir, dirname(path)), { recursive: true });
      await writeFile(join(dir, path), "export {};\n");
    }
    const paths = packedPaths(dir);
    expect(harness(paths)).toEqual([]);
    for (const path of [...MUST_SHIP, "dist/src/engine/operations/deploy.js"]) expect(paths).toContain(path);
    // The sample really did offer the harness files to npm (so the first check means something).
    expect(harness(tree)).toHaveLength(8);
  });
});
