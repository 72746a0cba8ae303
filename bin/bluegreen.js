#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, run on `npm ci`), bundled
// into one script, dist/cli/bluegreen.cjs, that dist/cli/launch.js runs with a V8 code cache
// (src/launch/), so that a command starts by reading two files rather than compiling hundreds.
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);

// A reader that stops early (`bluegreen history | head`) closes the pipe. The output ends there,
// not the command: an operation keeps going to its end (its history entry records the outcome).
process.stdout.on("error", (err) => {
  if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
});

// `--version` (alone, or after the one global option -c FILE) answers from package.json without
// loading the CLI: scripts call it to probe.
function onlyAskingVersion(argv) {
  const rest = argv[0] === "-c" || argv[0] === "--config" ? argv.slice(2) : argv[0]?.startsWith("--config=") ? argv.slice(1) : argv;
  return rest.length === 1 && (rest[0] === "--version" || rest[0] === "-V");
}

if (onlyAskingVersion(args)) {
  const { readFileSync } = await import("node:fs");
  process.stdout.write(`${JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version}\n`);
} else {
  const { runCli } = await import("../dist/cli/launch.js");
  runCli(fileURLToPath(new URL("../dist/cli/bluegreen.cjs", import.meta.url)), args).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    },
  );
}
