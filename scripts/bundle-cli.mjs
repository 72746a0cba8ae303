// Bundles the compiled CLI (dist/src/cli/main.js) into dist/cli/bluegreen.cjs, one CommonJS script
// that dist/cli/launch.cjs (from src/launch/) runs with a V8 code cache: resolving, reading and
// compiling ~450 small modules (ours, zod's, yaml's) cost a CLI process more than its work, and
// only a script (not an ES module) can take a code cache on Node 20. Packages that load files by
// path at run time (dockerode's gRPC protos, autocannon's workers) stay external and are
// require()d from node_modules; ink, an ES module with top-level await, is imported by the
// launcher and handed in (src/launch/esm-only.ts).
import { build } from "esbuild";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist", "cli");
await rm(outdir, { recursive: true, force: true });

// zod's namespace export carries every locale (~50 files, a third of the bundle that every command
// compiles at start); bluegreen's messages are English and never call z.locales.
const englishOnlyZod = {
  name: "english-only-zod",
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

// `import … from "ink"` in the TUI becomes the namespace the launcher imported.
const esmOnly = {
  name: "esm-only",
  setup(b) {
    b.onResolve({ filter: /^ink$/ }, () => ({ path: "ink", namespace: "esm-only" }));
    b.onLoad({ filter: /.*/, namespace: "esm-only" }, () => ({
      contents: `module.exports = require(${JSON.stringify(path.join(root, "dist", "src", "launch", "esm-only.js"))}).esmOnlyModule("ink");`,
      resolveDir: root,
      loader: "js",
    }));
  },
};

const common = { bundle: true, platform: "node", target: "node20", logLevel: "warning", legalComments: "none" };

await build({
  ...common,
  entryPoints: [path.join(root, "dist", "src", "cli", "main.js")],
  outfile: path.join(outdir, "bluegreen.cjs"),
  format: "cjs",
  external: ["dockerode", "autocannon", "react", "react/*", "undici", "ws"],
  // import.meta.url (the package root is found from it) is the bundle's own URL.
  define: { "import.meta.url": "__bluegreenModuleUrl" },
  // Whitespace and syntax only (names stay, for stack traces): 40 % less to read at every start,
  // and no comments, so the file is ASCII and the launcher reads it as latin1 (no UTF-8 decoding).
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: 'const __bluegreenModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [englishOnlyZod, esmOnly],
});

await build({
  ...common,
  entryPoints: [path.join(root, "dist", "src", "launch", "index.js")],
  outfile: path.join(outdir, "launch.cjs"),
  format: "cjs",
  external: ["ink"],
});

const text = await readFile(path.join(outdir, "bluegreen.cjs"), "utf8");
// src/launch reads the bundle as latin1, which only ASCII survives (esbuild escapes non-ASCII
// characters in code; comments are gone with minifyWhitespace).
const nonAscii = [...text].findIndex((ch) => ch.charCodeAt(0) > 0x7f);
if (nonAscii >= 0) {
  console.error(`bundle-cli: dist/cli/bluegreen.cjs is not ASCII at offset ${nonAscii}: ${JSON.stringify(text.slice(Math.max(0, nonAscii - 40), nonAscii + 40))}`);
  process.exit(1);
}
// A dynamic import() cannot run inside a vm.Script without an experimental flag: fail the build
// rather than the command that would reach it.
const dynamic = /(^|[^.\w$])import\(\s*["'`]/.exec(text);
if (dynamic) {
  console.error(`bundle-cli: dist/cli/bluegreen.cjs has a dynamic import() of an external package, which the code-cached script cannot run; require() it instead: ${JSON.stringify(text.slice(Math.max(0, dynamic.index - 60), dynamic.index + 60))}`);
  process.exit(1);
}
