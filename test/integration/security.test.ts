/**
 * Security of the CLI on a live nginx demo stack: no shell strings built from input, symlinked
 * state paths refused, secrets masked in output / history / reports, owner-only state files.
 * The same scenarios run in the fault suite (faults/security).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BluegreenStack } from "../../testkit/bluegreen-stack.js";
import { noShellScenario, startSecurityStack, symlinkScenario } from "../../testkit/security/scenarios.js";
import { checkSecretsAndModes, removeSecretReleaseImage, type SecretsAndModes } from "../../testkit/security/secrets.js";

describe("no shell strings built from input", () => {
  it("finds no exec/execSync, shell: true, sh -c or command string in src/ smoke/ load/ bin/, and catches every planted control", async () => {
    const o = await noShellScenario();
    expect(o.missedControls).toEqual([]);
    expect(o.findings).toEqual([]);
    // The exceptions, each a constant (see ALLOWLIST in testkit/security/no-shell.ts): nginx's reload
    // script, and the nginx start command that init writes into the user's compose file (and doctor quotes).
    expect([...new Set(o.allowed.map((f) => f.file))].sort()).toEqual(["src/adopt/check.ts", "src/adopt/proxy/nginx.ts", "src/proxy/nginx-reload.ts"]);
    expect(o.files).toBeGreaterThan(20);
  });
});

describe("security on a live nginx stack", () => {
  let stack: BluegreenStack | undefined;
  let secretsRun: SecretsAndModes | undefined;
  beforeAll(async () => {
    stack = await startSecurityStack();
  });
  afterAll(async () => {
    await stack?.destroy();
    await removeSecretReleaseImage();
  });

  it("refuses a symlinked state file, state dir, history file and lock with exit 2, changing nothing", async () => {
    if (!stack) throw new Error("the demo stack did not start (see beforeAll)");
    const { outcomes } = await symlinkScenario(stack);
    expect(outcomes.length).toBe(4);
    for (const o of outcomes) expect(o.problems, `${o.name}\n${o.problems.join("\n")}\n--- output ---\n${o.output}`).toEqual([]);
  });

  it("masks a secret of the environment in the CLI output, status, history and reports, losing no request", async () => {
    if (!stack) throw new Error("the demo stack did not start (see beforeAll)");
    secretsRun = await checkSecretsAndModes(stack);
    expect(secretsRun.secrets.problems).toEqual([]);
    expect(secretsRun.hard).toBe(0);
    expect(secretsRun.requests).toBeGreaterThan(50);
  }, 300_000);

  it("creates the state dir, state.json, lock, lock.json and history.jsonl writable by the owner only, even under umask 000", () => {
    if (!secretsRun) throw new Error("the secrets run did not happen (see the previous test)");
    expect(secretsRun.modes.problems, secretsRun.modes.notes.join("\n")).toEqual([]);
  });
});
