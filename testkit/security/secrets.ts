/**
 * Secrets and file modes, on a live demo stack under a request loop:
 * - a release whose app prints DB_PASSWORD at boot and never gets healthy is deployed with
 *   DB_PASSWORD=<secret> in the environment: the failure message carries the app's log tail, and
 *   the secret must not appear in the CLI output (--json: every event, compose output included),
 *   history.jsonl, `history`, `status`, or a smoke JUnit report — while the masked form must
 *   (proof the text was there and was masked);
 * - the CLI runs with umask 000: the state dir, lock, lock.json, history.jsonl and state.json it
 *   creates must still be writable by their owner only (mode & 0o022 === 0).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { startTraffic, type BluegreenStack, type TrafficSummary } from "../bluegreen-stack.js";
import { REPO_ROOT } from "../demo-stack.js";
import { writeState } from "../../src/state/index.js";
import { lockDirFor } from "../../src/state/lock.js";
import { runCli, startCli } from "../bad-input/cli.js";

const execFileAsync = promisify(execFile);

/** The app image tag of the failing release (removed afterwards). */
export const SECRET_RELEASE_VERSION = "bgtsec1";
const MASKED_LINE = "DB_PASSWORD=***";

export interface CheckOutcome {
  problems: string[];
  notes: string[];
}

export interface SecretsAndModes {
  secrets: CheckOutcome;
  modes: CheckOutcome;
  requests: number;
  hard: number;
  seconds: number;
}

/**
 * compose.<color>.yml of the repo, changed only so the app receives DB_PASSWORD and prints it at
 * boot (as real apps dumping their config do); built from the repo's Dockerfile as usual.
 */
async function secretComposeFile(color: "blue" | "green", dir: string): Promise<string> {
  const text = await readFile(path.join(REPO_ROOT, `compose.${color}.yml`), "utf8");
  const boot = "console.log('boot config: DB_PASSWORD=' + process.env.DB_PASSWORD); await import('/app/server.js');";
  const replace = (t: string, from: string | RegExp, to: string) => {
    const next = t.replace(from, to);
    if (next === t) throw new Error(`compose.${color}.yml no longer contains ${String(from)}; update testkit/security/secrets.ts`);
    return next;
  };
  let out = replace(text, /context: \.\s*$/m, `context: ${JSON.stringify(REPO_ROOT)}`);
  out = replace(out, /^( {4}image: .*)$/m, `$1\n    command: ["node", "--input-type=module", "-e", ${JSON.stringify(boot)}]`);
  out = replace(out, /^( {6}APP_FAILURE: .*)$/m, "$1\n      DB_PASSWORD: ${DB_PASSWORD:-}");
  const file = path.join(dir, `compose.${color}.yml`);
  await writeFile(file, out);
  return file;
}

async function modeOf(p: string): Promise<number | null> {
  try {
    return (await lstat(p)).mode & 0o777;
  } catch {
    return null;
  }
}

const octal = (m: number) => `0${m.toString(8)}`;

async function greenLogs(stack: BluegreenStack): Promise<string> {
  const { stdout } = await execFileAsync("docker", ["ps", "-aq", "--filter", `label=com.docker.compose.project=${stack.demo.projects.green}`]);
  const id = stdout.split("\n").find(Boolean);
  if (!id) return "";
  const logs = await execFileAsync("docker", ["logs", id], { maxBuffer: 8 * 1024 * 1024 });
  return `${logs.stdout}${logs.stderr}`;
}

export async function checkSecretsAndModes(stack: BluegreenStack, log: (m: string) => void = () => undefined): Promise<SecretsAndModes> {
  const t0 = Date.now();
  const secrets: CheckOutcome = { problems: [], notes: [] };
  const modes: CheckOutcome = { problems: [], notes: [] };
  const secret = `hunter2-secret-${randomBytes(6).toString("hex")}`;
  const dir = path.join(stack.dir, "security");
  await mkdir(dir, { recursive: true });
  const [blue, green] = [await secretComposeFile("blue", dir), await secretComposeFile("green", dir)];
  const good = await readFile(stack.configPath, "utf8");
  const config = path.join(dir, "bluegreen.yml");
  await writeFile(config, good.replace(/^ {2}blue: .*$/m, `  blue: ${JSON.stringify(blue)}`).replace(/^ {2}green: .*$/m, `  green: ${JSON.stringify(green)}`));
  const env = { ...process.env, ...stack.env, DB_PASSWORD: secret, APP_FAILURE: "unhealthy" };
  const cli = (args: string[], umask?: number) => runCli(["-c", config, ...args], { cwd: dir, env, timeoutMs: 120_000, ...(umask === undefined ? {} : { umask }) });
  const leaks = (what: string, text: string) => {
    if (text.includes(secret)) secrets.problems.push(`${what} contains the secret: …${text.slice(Math.max(0, text.indexOf(secret) - 80), text.indexOf(secret) + secret.length + 20)}…`);
  };

  const traffic = startTraffic(stack.demo.liveUrl, { intervalMs: 20, maxDurationMs: 300_000 });
  let summary: TrafficSummary;
  try {
    // 1. The failing release, deployed with umask 000; the lock's modes are sampled while it runs.
    log(`deploying a release that prints DB_PASSWORD and never gets healthy (umask 000)`);
    // The lock is host-wide, keyed by the stack and its Docker endpoint (not in the state dir).
    const lockHome = lockDirFor(stack.demo.name, env);
    const lockDir = path.join(lockHome, "lock");
    const lockFile = path.join(lockHome, "lock.json");
    const seen = { lock: new Set<number>(), lockJson: new Set<number>() };
    const running = startCli(["-c", config, "deploy", "--version", SECRET_RELEASE_VERSION, "--yes", "--json"], { cwd: dir, env, timeoutMs: 240_000, umask: 0 });
    let done = false;
    const exited = running.exited.finally(() => (done = true));
    while (!done) {
      const [l, j] = await Promise.all([modeOf(lockDir), modeOf(lockFile)]);
      if (l !== null) seen.lock.add(l);
      if (j !== null) seen.lockJson.add(j);
      await new Promise((r) => setTimeout(r, 50));
    }
    const deploy = await exited;
    const out = `${deploy.stdout}${deploy.stderr}`;
    if (deploy.code !== 1) secrets.problems.push(`the failing deploy exited ${deploy.code}, expected 1: ${out.slice(-600)}`);
    leaks("deploy --json output", out);
    if (!out.includes(MASKED_LINE)) secrets.problems.push(`the deploy output has no "${MASKED_LINE}": the log tail did not carry the app's line, so this proved nothing (${out.slice(-400)})`);
    if (!(await greenLogs(stack)).includes(`DB_PASSWORD=${secret}`)) secrets.problems.push("the release's container log does not show the secret: the app did not print it, so this proved nothing");
    else secrets.notes.push("the app printed the secret in its log; bluegreen showed it as ***");

    // 2. Everything else that prints or stores text.
    const history = await readFile(path.join(stack.stateDir, "history.jsonl"), "utf8").catch(() => "");
    leaks("history.jsonl", history);
    if (!history.includes(MASKED_LINE)) secrets.problems.push(`history.jsonl has no "${MASKED_LINE}" (the failure's log tail should be recorded, masked)`);
    for (const args of [["history"], ["status", "--json"]]) {
      const r = await cli(args);
      leaks(`\`${args.join(" ")}\``, `${r.stdout}${r.stderr}`);
      if (r.code !== 0 && r.code !== 3) secrets.problems.push(`\`${args.join(" ")}\` exited ${r.code}: ${r.stderr.slice(0, 300)}`);
    }
    // A smoke report whose expectation is the secret: the JUnit file and the output must mask it.
    const junit = path.join(dir, "smoke.junit.xml");
    const smoke = await cli(["smoke", "--target", stack.demo.liveUrl, "--expect-version", secret, "--junit", junit]);
    leaks("smoke output", `${smoke.stdout}${smoke.stderr}`);
    const report = await readFile(junit, "utf8").catch(() => "");
    if (report === "") secrets.problems.push(`smoke wrote no JUnit report (exit ${smoke.code}: ${smoke.stderr.slice(0, 200)})`);
    leaks("the smoke JUnit report", report);
    if (report !== "" && !report.includes("***")) secrets.problems.push("the smoke JUnit report has no *** where the expected version was: the mismatch was not reported");

    // 3. Modes of what the CLI created under umask 000.
    const stateDirMode = await modeOf(stack.stateDir);
    const historyMode = await modeOf(path.join(stack.stateDir, "history.jsonl"));
    await writeState(stack.stateDir, { active: "green", previous: "blue", versions: { blue: "v1", green: SECRET_RELEASE_VERSION }, warm: false, updatedBy: "security scenario (a state that disagrees with the proxy)" });
    const resolved = await cli(["resolve", "--keep", "blue", "--yes"], 0);
    if (resolved.code !== 0) modes.problems.push(`resolve --keep blue exited ${resolved.code}: ${resolved.stdout.slice(-400)}${resolved.stderr.slice(-300)}`);
    leaks("resolve output", `${resolved.stdout}${resolved.stderr}`);
    const stateText = await readFile(path.join(stack.stateDir, "state.json"), "utf8").catch(() => "");
    if (!/"active": "blue"/.test(stateText)) modes.problems.push(`state.json does not record blue as active after resolve: ${stateText}`);
    const stateMode = await modeOf(path.join(stack.stateDir, "state.json"));
    const checks: Array<[string, number | null]> = [
      ["state dir", stateDirMode],
      ["history.jsonl", historyMode],
      ["state.json", stateMode],
      ...[...seen.lock].map((m): [string, number] => ["lock dir", m]),
      ...[...seen.lockJson].map((m): [string, number] => ["lock.json", m]),
    ];
    if (seen.lock.size === 0 || seen.lockJson.size === 0) modes.problems.push("the lock or lock.json was never seen while the deploy ran");
    for (const [what, mode] of checks) {
      if (mode === null) modes.problems.push(`${what} does not exist`);
      else if ((mode & 0o022) !== 0) modes.problems.push(`${what} has mode ${octal(mode)}: writable by group or others`);
    }
    const leftovers = (await readdir(stack.stateDir)).filter((n) => n.endsWith(".tmp") || n === "lock" || n === "lock.json");
    if (leftovers.length) modes.problems.push(`left behind in the state dir: ${leftovers.join(", ")}`);
    modes.notes.push(`under umask 000: ${checks.map(([w, m]) => `${w} ${m === null ? "-" : octal(m)}`).join(", ")}`);
  } finally {
    summary = await traffic.stop();
  }
  const live = await stack.openEngine().then(({ ports }) => ports.proxy.liveTarget()).catch((e: Error) => `error: ${e.message}`);
  if (live !== "blue") secrets.problems.push(`the proxy routes live to ${String(live)} at the end, expected blue`);
  if (summary.hard > 0) secrets.problems.push(`${summary.hard} hard failures through the live route (first: ${summary.firstHard?.errorCode ?? summary.firstHard?.status ?? "?"} at +${Math.round(summary.firstHard?.t ?? 0)} ms)`);
  return { secrets, modes, requests: summary.requests, hard: summary.hard, seconds: (Date.now() - t0) / 1000 };
}

/** Removes the app image the failing release built (after the stack is destroyed). */
export async function removeSecretReleaseImage(): Promise<void> {
  await execFileAsync("docker", ["rmi", "-f", `${process.env.BG_IMAGE_NS ?? "bluegreen-demo"}/app:${SECRET_RELEASE_VERSION}`]).catch(() => undefined);
}
