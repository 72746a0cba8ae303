import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import { ConfigError, type ConfigIssue } from "../../../src/config/index.js";

/** A valid bluegreen.yml; tests change single lines of it (line numbers are stable). */
export const VALID_LINES = [
  "stack: demo", // 1
  "compose:", // 2
  "  shared: compose.yml", // 3
  "  blue: compose.blue.yml", // 4
  "  green: compose.green.yml", // 5
  "services: [app]", // 6
  "env:", // 7
  '  PROXY_PORT: "8080"', // 8
  "proxy:", // 9
  "  driver: nginx", // 10
  "  service: proxy", // 11
  "  runDir: .bluegreen/run", // 12
  '  upstream: "app-{color}:3000"', // 13
  "  live: http://127.0.0.1:8080", // 14
  "  preview: http://127.0.0.1:8081", // 15
  "health: { timeout: 180s, interval: 1s }", // 16
  "drain: { timeout: 30s }", // 17
  "verify: { duration: 5s, interval: 50ms }", // 18
  "keepOldWarm: true", // 19
  "stateDir: .bluegreen", // 20
];

export const VALID_YAML = `${VALID_LINES.join("\n")}\n`;

/** The valid config with line `n` (1-based) replaced; `null` removes the line. */
export function withLine(n: number, text: string | null): string {
  const lines = [...VALID_LINES];
  if (text === null) lines.splice(n - 1, 1);
  else lines[n - 1] = text;
  return `${lines.join("\n")}\n`;
}

export const COMPOSE_SHARED = "services:\n  proxy:\n    image: bluegreen/base-nginx:local\n  redis:\n    image: bluegreen/base-redis:local\n";
export const composeColor = (color: string): string => `services:\n  app-${color}:\n    image: bluegreen/base-node:local\n`;

/** A stack directory with the config and compose files it names. */
export async function makeStackDir(files: Record<string, string> = {}): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "bg-config-"));
  const all: Record<string, string> = {
    "bluegreen.yml": VALID_YAML,
    "compose.yml": COMPOSE_SHARED,
    "compose.blue.yml": composeColor("blue"),
    "compose.green.yml": composeColor("green"),
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `fn`, expects a ConfigError, returns it. */
export async function configErrorOf(fn: () => unknown): Promise<ConfigError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError, but the configuration was accepted");
}

/** The issue at `path`, checked to be on `line` and to say `fragment`, also in the rendered message. */
export function expectIssue(error: ConfigError, file: string, path: string, line: number, fragment: string): ConfigIssue {
  const issue = error.issues.find((candidate) => candidate.path === path && candidate.line === line);
  expect(issue, `no issue at ${path} line ${line} in:\n${error.message}`).toBeDefined();
  expect(issue?.message).toContain(fragment);
  const prefix = path === "" ? `${file}:${line}:` : `${file}:${line}:`;
  expect(error.message).toContain(prefix);
  if (path !== "") expect(error.message).toMatch(new RegExp(`${escape(file)}:${line}:\\d+ ${escape(path)}: `));
  return issue as ConfigIssue;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
