// Bundles the compiled CLI (dist/src/cli/main.js) into dist/cli/: one ESM file for what every
// command loads, plus a chunk per dynamic import() (the TUI, the harness, the smoke runner,
// dockerode's users). Resolving and reading ~450 small modules (ours, zod's, yaml's) cost a CLI
// process more than its work; one file costs one read. Packages that load files by path at run
// time (autocannon's workers) or are heavy and only needed by some commands stay external and
// resolve from node_modules as before.
import { build } from "esbuild";
import { rm } from "node:fs/promises";
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

await build({
  entryPoints: { bluegreen: path.join(root, "dist", "src", "cli", "main.js") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["dockerode", "autocannon", "ink", "react", "react/*", "undici", "ws"],
  // CommonJS packages inside an ESM bundle call require() for node: built-ins.
  banner: { js: 'import { createRequire as __bluegreenCreateRequire } from "node:module"; const require = __bluegreenCreateRequire(import.meta.url);' },
  plugins: [englishOnlyZod],
  logLevel: "warning",
  legalComments: "none",
});
