/** The security scenarios as functions, shared by the fault suite (index.ts) and test/integration/security.test.ts. */
import { startBluegreenStack, type BluegreenStack } from "../bluegreen-stack.js";
import { REPO_ROOT } from "../demo-stack.js";
import type { ScenarioResult } from "../scenario-result.js";
import { SYMLINK_CASES } from "../bad-input/cases.js";
import { BadInputHarness, type CaseOutcome } from "../bad-input/harness.js";
import { POSITIVE_CONTROLS, scanSource, scanTree, type ShellFinding } from "./no-shell.js";
import type { SecretsAndModes } from "./secrets.js";

/** Ports 18850–18869 belong to bad-input and security; 18852/18853 to this stack, 18868 stays closed. */
export const SECURITY_PORTS = { live: 18852, preview: 18853, closed: 18868 } as const;

export const NAMES = {
  noShell: "security: no shell strings built from input",
  symlinks: "security: symlinked state paths refused",
  secrets: "security: secrets masked in output, history, reports",
  modes: "security: state, lock, history owner-only (umask 000)",
} as const;

export function startSecurityStack(): Promise<BluegreenStack> {
  // nginx here (bad-input runs on HAProxy); a short health timeout: the failing release waits it out.
  return startBluegreenStack({ name: "bgt-bad-sec", proxy: "nginx", proxyPort: SECURITY_PORTS.live, previewPort: SECURITY_PORTS.preview, healthTimeout: "8s", keepOldWarm: false });
}

export interface NoShellOutcome {
  result: ScenarioResult;
  files: number;
  findings: ShellFinding[];
  /** Findings excused by the scan's ALLOWLIST, each with its justification there. */
  allowed: ShellFinding[];
  /** Positive controls the scan missed (must be empty). */
  missedControls: string[];
}

export async function noShellScenario(): Promise<NoShellOutcome> {
  const t0 = Date.now();
  const scan = await scanTree(REPO_ROOT);
  const missedControls = POSITIVE_CONTROLS.filter((c) => !scanSource("control.ts", c.snippet).some((f) => f.rule === c.rule)).map((c) => c.rule);
  const ok = scan.findings.length === 0 && missedControls.length === 0 && scan.files > 20;
  return {
    files: scan.files,
    findings: scan.findings,
    allowed: scan.allowed,
    missedControls,
    result: {
      name: NAMES.noShell,
      runs: scan.files,
      requests: 0,
      hard: 0,
      endStateCorrect: ok,
      seconds: (Date.now() - t0) / 1000,
      detail: ok
        ? `${scan.files} files in src/ smoke/ load/ bin/: no exec/execSync, shell: true, sh -c or command strings${scan.allowed.length ? ` (allowlisted with a reason: ${scan.allowed.map((f) => `${f.file}:${f.line}`).join(", ")})` : ""}; ${POSITIVE_CONTROLS.length}/${POSITIVE_CONTROLS.length} planted controls caught`
        : `PROBLEM: ${[...scan.findings.map((f) => `${f.file}:${f.line} ${f.rule}: ${f.text}`), ...missedControls.map((r) => `control not caught: ${r}`), ...(scan.files <= 20 ? [`only ${scan.files} files scanned`] : [])].join("; ")}`,
    },
  };
}

export async function symlinkScenario(stack: BluegreenStack): Promise<{ result: ScenarioResult; outcomes: CaseOutcome[] }> {
  const t0 = Date.now();
  const harness = await BadInputHarness.over(stack, { closedPort: SECURITY_PORTS.closed, concurrency: 2 });
  let outcomes: CaseOutcome[] = [];
  try {
    outcomes = await Promise.all(SYMLINK_CASES.map((c) => harness.run(c)));
  } finally {
    await harness.stop();
  }
  const bad = outcomes.filter((o) => o.problems.length > 0);
  const requests = outcomes.reduce((n, o) => n + o.requests, 0);
  const hard = outcomes.reduce((n, o) => n + o.hard, 0);
  return {
    outcomes,
    result: {
      name: NAMES.symlinks,
      runs: outcomes.length,
      requests,
      hard,
      endStateCorrect: bad.filter((o) => o.problems.some((p) => !p.includes("hard failures"))).length === 0,
      seconds: (Date.now() - t0) / 1000,
      detail:
        bad.length === 0
          ? `${outcomes.map((o) => o.name.replace(/^symlinked /, "")).join(", ")}: exit 2 naming the link; link targets, containers and proxy unchanged`
          : `PROBLEM: ${bad.map((o) => `${o.name}: ${o.problems.join(", ")}`).join("; ")}`,
    },
  };
}

export function secretsAndModesResults(r: SecretsAndModes): [ScenarioResult, ScenarioResult] {
  const row = (name: string, c: SecretsAndModes["secrets"], requests: number, hard: number): ScenarioResult => ({
    name,
    runs: 1,
    requests,
    hard,
    endStateCorrect: c.problems.length === 0,
    seconds: r.seconds,
    detail: [...c.problems.map((p) => `PROBLEM: ${p}`), ...c.notes].join("; "),
  });
  // The traffic belongs to the one deploy both rows come from: counted once, on the first row.
  return [row(NAMES.secrets, r.secrets, r.requests, r.hard), row(NAMES.modes, r.modes, 0, 0)];
}
