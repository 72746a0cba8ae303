/**
 * "No shell strings built from input": a scan of the shipped sources for every way a command line
 * could reach a shell — exec/execSync (always a shell), `shell: true`, a command built from a
 * template or a concatenation, a shell as the program (`sh -c`), shell-running libraries.
 * Deliberately simple and strict: a hit must be fixed or allowlisted here with its justification.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

export interface ShellFinding {
  file: string;
  line: number;
  rule: string;
  text: string;
}

/** Directories of shipped code (relative to the repo root). */
export const SCANNED_DIRS = ["src", "smoke", "load", "bin"];

/** Justified exceptions: `file` (repo-relative) + `rule`. */
export const ALLOWLIST: ReadonlyArray<{ file: string; rule: string; why: string }> = [
  {
    file: "src/proxy/nginx-reload.ts",
    rule: "a shell as the program of an argv array (sh -c)",
    why: "a constant script (the reload that waits out nginx's old workers); nothing from input or config is in it, its one argument is a number passed as a positional parameter",
  },
  {
    file: "src/adopt/proxy/nginx.ts",
    rule: "a shell as the program of an argv array (sh -c)",
    why: "the proxy's start command that init writes into the user's compose file (remove a stale admin socket, then exec nginx): a constant, run by Docker in the container, never by bluegreen, with nothing from input in it",
  },
  {
    file: "src/adopt/check.ts",
    rule: "a shell as the program of an argv array (sh -c)",
    why: "doctor's advice text quoting that same constant start command; nothing is run",
  },
];

const SPAWNERS = "spawn|spawnSync|execFile|execFileSync|fork";
const SHELLS = "(?:/bin/|/usr/bin/)?(?:ba|da|z|k)?sh|cmd(?:\\.exe)?|powershell";

const RULES: Array<{ rule: string; test: (line: string, file: FileFacts) => boolean }> = [
  {
    rule: "exec/execSync from child_process (always runs a shell)",
    test: (line, f) => f.importsExecByName && /\bexec(Sync)?\s*\(/.test(line),
  },
  {
    rule: "child_process namespace exec/execSync (always runs a shell)",
    test: (line, f) => f.childProcessAliases.some((a) => new RegExp(`\\b${a}\\.exec(Sync)?\\s*\\(`).test(line)) || /require\(\s*["'](node:)?child_process["']\s*\)\.exec(Sync)?\b/.test(line),
  },
  { rule: "shell option set", test: (line, f) => f.usesChildProcess && /\bshell\s*:\s*(?!false\b)/.test(line) },
  { rule: "command built from a template string or concatenation", test: (line) => new RegExp(`\\b(${SPAWNERS})\\s*\\(\\s*(\`|[^,()]*\\+)`).test(line) },
  { rule: "a shell as the program", test: (line) => new RegExp(`\\b(${SPAWNERS})\\s*\\(\\s*["'](${SHELLS})["']`).test(line) },
  { rule: "a shell command in a container exec", test: (line) => new RegExp(`\\bCmd\\s*:\\s*\\[\\s*["'](${SHELLS})["']\\s*,\\s*["']-c["']`).test(line) },
  { rule: "a shell as the program of an argv array (sh -c)", test: (line) => !/\bCmd\s*:/.test(line) && new RegExp(`\\[\\s*["'](${SHELLS})["']\\s*,\\s*["']-c["']`).test(line) },
  { rule: "a shell-running library", test: (line) => /from\s*["'](execa|shelljs|zx|child-process-promise)["']|require\(\s*["'](execa|shelljs|zx)["']\s*\)/.test(line) },
];

interface FileFacts {
  usesChildProcess: boolean;
  importsExecByName: boolean;
  childProcessAliases: string[];
}

function factsOf(text: string): FileFacts {
  const named = [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*["'](?:node:)?child_process["']/g)].map((m) => m[1] ?? "");
  const aliases = [...text.matchAll(/import\s+\*\s+as\s+(\w+)\s+from\s*["'](?:node:)?child_process["']/g), ...text.matchAll(/import\s+(\w+)\s+from\s*["'](?:node:)?child_process["']/g)].map((m) => m[1] ?? "");
  return {
    usesChildProcess: /["'](node:)?child_process["']/.test(text),
    importsExecByName: named.some((list) => list.split(",").some((n) => /^\s*exec(Sync)?(\s+as\s+\w+)?\s*$/.test(n))),
    childProcessAliases: aliases.filter(Boolean),
  };
}

/** Findings in one file's text (comment lines are skipped: they describe, they do not run). */
export function scanSource(file: string, text: string): ShellFinding[] {
  const facts = factsOf(text);
  const findings: ShellFinding[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith("//") || line.startsWith("*") || line.startsWith("/*")) return;
    for (const r of RULES) if (r.test(line, facts)) findings.push({ file, line: i + 1, rule: r.rule, text: line.slice(0, 160) });
  });
  return findings;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw err;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== "node_modules") out.push(...(await sourceFiles(p)));
    else if (e.isFile() && /\.(ts|tsx|js|mjs|cjs)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Scans SCANNED_DIRS under `root`; allowlisted findings are reported apart. */
export async function scanTree(root: string, dirs: readonly string[] = SCANNED_DIRS): Promise<{ files: number; findings: ShellFinding[]; allowed: ShellFinding[] }> {
  const files = (await Promise.all(dirs.map((d) => sourceFiles(path.join(root, d))))).flat();
  const findings: ShellFinding[] = [];
  const allowed: ShellFinding[] = [];
  for (const file of files) {
    const rel = path.relative(root, file);
    for (const f of scanSource(rel, await readFile(file, "utf8"))) {
      (ALLOWLIST.some((a) => a.file === rel && a.rule === f.rule) ? allowed : findings).push(f);
    }
  }
  return { files: files.length, findings, allowed };
}

/** Known-bad snippets the scan must catch (so "no findings" means something). */
export const POSITIVE_CONTROLS: ReadonlyArray<{ snippet: string; rule: string }> = [
  { snippet: 'import { exec } from "node:child_process";\nexec(`docker logs ${id}`);', rule: "exec/execSync from child_process (always runs a shell)" },
  { snippet: 'import * as cp from "child_process";\ncp.execSync("ls " + dir);', rule: "child_process namespace exec/execSync (always runs a shell)" },
  { snippet: 'import { spawn } from "node:child_process";\nspawn("docker", ["ps"], { shell: true });', rule: "shell option set" },
  { snippet: 'import { execFile } from "node:child_process";\nexecFile(`docker-compose -p ${project} up`);', rule: "command built from a template string or concatenation" },
  { snippet: 'import { spawn } from "node:child_process";\nspawn("sh", ["-c", command]);', rule: "a shell as the program" },
  { snippet: 'await container.exec({ Cmd: ["sh", "-c", `nginx -s ${signal}`] });', rule: "a shell command in a container exec" },
  { snippet: 'import { execa } from "execa";', rule: "a shell-running library" },
  { snippet: 'await docker.exec(id, ["sh", "-c", `kill ${pid}`]);', rule: "a shell as the program of an argv array (sh -c)" },
];
