#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, run on `npm ci`), bundled
// into one script, dist/cli/bluegreen.cjs, that dist/cli/launch.cjs runs with a V8 code cache
// (src/launch/), so that a command starts by reading two files rather than compiling hundreds.
// CommonJS all the way: Node starts a CommonJS entry without its ES module loader (~5 ms sooner).
"use strict";
const path = require("node:path");

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
  process.stdout.write(`${require("../package.json").version}\n`);
} else {
  const { runCli } = require("../dist/cli/launch.cjs");
  runCli(path.join(__dirname, "..", "dist", "cli", "bluegreen.cjs"), args).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    },
  );
}
