import { describe, expect, it } from "vitest";
import type { MigrateConfig } from "../../../src/config/types.js";
import { exitCodeOf } from "../../../src/cli/run-operation.js";
import { renderEventText } from "../../../src/cli/render/events-text.js";
import { createStyle } from "../../../src/cli/render/style.js";
import { ExitCode } from "../../../src/domain/exit-codes.js";
import { initialOperationState, reduceOperation } from "../../../src/tui/state/operation-state.js";
import { FakeStack } from "../../fakes/index.js";
import { phaseStatus, phaseTrail, runOperation } from "./event-checks.js";

const MIGRATE: MigrateConfig = { service: "app", command: ["node", "/app/migrate.js"], contract: ["node", "/app/migrate.js", "--contract"], timeoutMs: 120_000 };

function liveBlue(overrides: Parameters<typeof FakeStack.seeded>[1] = {}): FakeStack {
  return FakeStack.seeded({ live: "blue", blue: { version: "v1" } }, overrides);
}

const deploy = (stack: FakeStack, version = "v2") => runOperation((h) => stack.engine.deploy({ version }, h));

describe("deploy: operator hooks", () => {
  it("runs every deploy hook present as its own phase, in order, while the lock is held", async () => {
    const stack = liveBlue();
    const heldDuring: boolean[] = [];
    for (const point of ["pre-deploy", "post-build", "pre-switch", "post-switch", "post-deploy"] as const) stack.hooks.add(point);
    const run = stack.hooks.run.bind(stack.hooks);
    stack.hooks.run = async (point, env, opts) => {
      heldDuring.push(stack.lock.held !== null);
      return run(point, env, opts);
    };
    const { result } = await deploy(stack);
    expect(result.outcome).toBe("success");
    expect(phaseTrail(result)).toEqual([
      "preflight:ok",
      "shared:skipped",
      "hook:pre-deploy:ok",
      "build:ok",
      "hook:post-build:ok",
      "start:ok",
      "health:ok",
      "preview:ok",
      "smoke:ok",
      "confirm:ok",
      "hook:pre-switch:ok",
      "switch:ok",
      "verify:ok",
      "hook:post-switch:ok",
      "drain:ok",
      "stop:ok",
      "hook:post-deploy:ok",
    ]);
    expect(heldDuring).toEqual([true, true, true, true, true]);
    expect(stack.history.entries[0]?.hooks?.map((h) => `${h.point}:${h.ok}`)).toEqual(["pre-deploy:true", "post-build:true", "pre-switch:true", "post-switch:true", "post-deploy:true"]);
  });

  it("gives hooks the facts as BLUEGREEN_* variables: stack, operation, phase, colors, versions, user, smoke and verify results", async () => {
    const stack = liveBlue();
    stack.hooks.add("pre-deploy").add("pre-switch").add("post-switch");
    await deploy(stack);
    const [pre, preSwitch, postSwitch] = stack.hooks.runs;
    expect(pre?.env).toMatchObject({
      BLUEGREEN_STACK: "shop",
      BLUEGREEN_OPERATION: "deploy",
      BLUEGREEN_PHASE: "pre-deploy",
      BLUEGREEN_FROM_COLOR: "blue",
      BLUEGREEN_FROM_VERSION: "v1",
      BLUEGREEN_TO_COLOR: "green",
      BLUEGREEN_TO_VERSION: "v2",
      BLUEGREEN_USER: "alice",
      BLUEGREEN_HOST: "build-01",
    });
    expect(pre?.env.BLUEGREEN_SMOKE_OK).toBeUndefined();
    expect(preSwitch?.env).toMatchObject({ BLUEGREEN_PHASE: "pre-switch", BLUEGREEN_SMOKE_OK: "true" });
    expect(preSwitch?.env.BLUEGREEN_SMOKE).toMatch(/^\d+\/\d+ checks passed$/);
    expect(postSwitch?.env).toMatchObject({ BLUEGREEN_VERIFY_OK: "true" });
    expect(postSwitch?.env.BLUEGREEN_VERIFY).toMatch(/^\d+ requests, 0 failed$/);
    expect(pre?.timeoutMs).toBe(60_000);
  });

  it("stops before the switch when the pre-switch hook fails: blue keeps serving, green is stopped, the hook's output is in the message", async () => {
    const stack = liveBlue();
    stack.hooks.add("pre-switch", { exitCode: 3, output: ["checking the change window", "change freeze until 18:00"] }).add("on-failure");
    const { result } = await deploy(stack);
    expect(result.outcome).toBe("failed");
    expect(phaseStatus(result, "hook:pre-switch")).toBe("failed");
    expect(phaseStatus(result, "switch")).toBeUndefined();
    expect(result.message).toContain("the pre-switch hook stopped the deploy before the switch");
    expect(result.message).toContain("exited with 3");
    expect(result.message).toContain("| change freeze until 18:00");
    expect(result.stateNow).toContain("blue (v1) still serves all live traffic; green has been stopped");
    expect(stack.proxy.live).toBe("blue");
    expect(stack.stateOf("green")).toBe("stopped");
    expect(stack.hooks.points()).toEqual(["pre-switch", "on-failure"]);
    expect(stack.hooks.runs[1]?.env).toMatchObject({ BLUEGREEN_OUTCOME: "failed", BLUEGREEN_FAILED_PHASE: "hook:pre-switch" });
    expect(stack.history.entries[0]).toMatchObject({ outcome: "failed", hooks: [{ point: "pre-switch", ok: false, exitCode: 3 }, { point: "on-failure", ok: true }] });
  });

  it("stops with nothing built when the pre-deploy hook times out, saying so", async () => {
    const stack = liveBlue({ hooks: { dir: "/srv/shop/.bluegreen/hooks", timeoutMs: 5_000 } });
    stack.hooks.add("pre-deploy", { timedOut: true, output: ["waiting for the approval…"] });
    const { result } = await deploy(stack);
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("timed out after 5 s (hooks.timeout); its process group was killed");
    expect(result.stateNow).toContain("nothing was built or started");
    expect(stack.compose.calls.map((c) => c.verb)).toEqual([]);
    expect(stack.history.entries[0]?.hooks).toEqual([{ point: "pre-deploy", ok: false, exitCode: null, timedOut: true, ms: 5_000, output: ["waiting for the approval…"] }]);
  });

  it("reports a failing post-switch hook and keeps the new color live", async () => {
    const stack = liveBlue();
    stack.hooks.add("post-switch", { exitCode: 1, output: ["slack: 500"] });
    const { result, events } = await deploy(stack);
    expect(result.outcome).toBe("success");
    expect(phaseStatus(result, "hook:post-switch")).toBe("failed");
    expect(stack.proxy.live).toBe("green");
    const warnings = events.filter((e) => e.type === "log" && e.level === "warn").map((e) => (e.type === "log" ? e.message : ""));
    expect(warnings.some((w) => w.includes("post-switch hook") && w.includes("slack: 500"))).toBe(true);
    expect(stack.history.entries[0]?.hooks).toEqual([{ point: "post-switch", ok: false, exitCode: 1, timedOut: false, ms: 10, output: ["slack: 500"] }]);
  });

  it("refuses to start when a hook cannot run, before changing anything", async () => {
    const stack = liveBlue();
    stack.hooks.invalid = "the hooks directory has hooks that cannot run";
    const { result } = await deploy(stack);
    expect(result.outcome).toBe("failed");
    expect(stack.compose.calls).toEqual([]);
  });
});

describe("rollback: operator hooks", () => {
  it("runs pre-rollback and post-rollback around the switch back", async () => {
    const stack = FakeStack.seeded({ live: "green", blue: { version: "v1" }, green: { version: "v2" } });
    stack.hooks.add("pre-rollback").add("post-rollback");
    const { result } = await runOperation((h) => stack.engine.rollback(h));
    expect(result.outcome).toBe("success");
    expect(stack.hooks.points()).toEqual(["pre-rollback", "post-rollback"]);
    expect(stack.hooks.runs[0]?.env).toMatchObject({ BLUEGREEN_OPERATION: "rollback", BLUEGREEN_FROM_COLOR: "green", BLUEGREEN_TO_COLOR: "blue", BLUEGREEN_TO_VERSION: "v1" });
  });

  it("does not roll back when the pre-rollback hook fails", async () => {
    const stack = FakeStack.seeded({ live: "green", blue: { version: "v1" }, green: { version: "v2" } });
    stack.hooks.add("pre-rollback", { exitCode: 2 });
    const { result } = await runOperation((h) => stack.engine.rollback(h));
    expect(result.outcome).toBe("failed");
    expect(stack.proxy.live).toBe("green");
    expect(result.stateNow).toContain("nothing was changed");
  });
});

describe("switch: operator hooks", () => {
  it("runs pre-switch and post-switch around a plain switch, with the facts of the flip", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v2" } });
    stack.hooks.add("pre-switch").add("post-switch");
    const { result } = await runOperation((h) => stack.engine.switch(h));
    expect(result.outcome).toBe("success");
    expect(stack.proxy.live).toBe("green");
    expect(stack.hooks.points()).toEqual(["pre-switch", "post-switch"]);
    expect(stack.hooks.runs[0]?.env).toMatchObject({ BLUEGREEN_OPERATION: "switch", BLUEGREEN_FROM_COLOR: "blue", BLUEGREEN_TO_COLOR: "green", BLUEGREEN_TO_VERSION: "v2" });
    expect(stack.hooks.runs[1]?.env).toMatchObject({ BLUEGREEN_VERIFY_OK: "true" });
  });

  it("does not switch when the pre-switch hook fails", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v2" } });
    stack.hooks.add("pre-switch", { exitCode: 2 });
    const { result } = await runOperation((h) => stack.engine.switch(h));
    expect(result.outcome).toBe("failed");
    expect(stack.proxy.live).toBe("blue");
    expect(result.stateNow).toContain("nothing was changed");
  });
});

describe("deploy: the migration", () => {
  it("runs the migration in a one-off container of the new color's image after the build and before the start", async () => {
    const stack = liveBlue({ migrate: MIGRATE, keepOldWarm: true });
    const { result } = await deploy(stack);
    expect(result.outcome).toBe("success");
    expect(phaseTrail(result).slice(2, 5)).toEqual(["build:ok", "migrate:ok", "start:ok"]);
    const run = stack.compose.calls.find((c) => c.verb === "run");
    expect(run).toMatchObject({ project: "shop-green", env: { BLUEGREEN_VERSION: "v2" }, opts: { service: "app-green", argv: ["node", "/app/migrate.js"], timeoutMs: 120_000 } });
    expect(stack.compose.calls.map((c) => c.verb)).toEqual(["build", "run", "up"]);
    expect(phaseStatus(result, "contract")).toBe("skipped");
    expect(stack.history.entries[0]?.migrations).toMatchObject([{ step: "expand", color: "green", version: "v2", ok: true, exitCode: 0 }]);
  });

  it("stops the deploy before the new color starts when the migration fails, with its output", async () => {
    const stack = liveBlue({ migrate: MIGRATE });
    stack.compose.oneOffs.push({ exitCode: 1, lines: ["BEGIN", "ERROR: column \"author\" cannot be cast", "ROLLBACK"] });
    const { result } = await deploy(stack);
    expect(result.outcome).toBe("failed");
    expect(phaseStatus(result, "migrate")).toBe("failed");
    expect(phaseStatus(result, "start")).toBeUndefined();
    expect(result.message).toContain("the migration failed, so green v2 was not started");
    expect(result.message).toContain('| ERROR: column "author" cannot be cast');
    expect(result.stateNow).toContain("blue (v1) still serves all live traffic");
    expect(stack.proxy.live).toBe("blue");
    expect(stack.compose.calls.some((c) => c.verb === "up")).toBe(false);
    expect(stack.history.entries[0]?.migrations).toMatchObject([{ step: "expand", ok: false, exitCode: 1 }]);
  });

  it("runs the contract step only after the old color was stopped", async () => {
    const stack = liveBlue({ migrate: MIGRATE, keepOldWarm: false });
    const { result } = await deploy(stack);
    expect(phaseTrail(result).slice(-3)).toEqual(["drain:ok", "stop:ok", "contract:ok"]);
    expect(stack.compose.calls.filter((c) => c.verb === "run").map((c) => c.opts.argv?.join(" "))).toEqual(["node /app/migrate.js", "node /app/migrate.js --contract"]);
    expect(stack.history.entries[0]?.migrations?.map((m) => m.step)).toEqual(["expand", "contract"]);
  });

  it("fails the deploy when the contract step fails, rolling nothing back: green stays live, blue stopped, exit 1, the step's output in the message, the events and the history", async () => {
    const stack = liveBlue({ migrate: MIGRATE, keepOldWarm: false });
    stack.hooks.add("post-deploy").add("on-failure");
    stack.compose.oneOffs.push(
      { exitCode: 0, lines: ["migrate: schema 2 for v2"] },
      { exitCode: 1, lines: ["migrate: applying 102", 'ERROR: column "author" is referenced by a view', "migrate: FAILED, rolled back (nothing changed)"] },
    );
    const { result, events } = await deploy(stack);

    expect(result.outcome).toBe("failed");
    expect(exitCodeOf(result)).toBe(ExitCode.Failed);
    expect(phaseTrail(result).slice(-4)).toEqual(["drain:ok", "stop:ok", "contract:failed", "hook:on-failure:ok"]);
    expect(result.phases.some((p) => p.phase === "rollback-switch")).toBe(false);
    // Nothing undone: green serves, blue stays stopped, the state file says green is live.
    expect(result.active).toBe("green");
    expect(stack.proxy.live).toBe("green");
    expect(stack.stateOf("green")).toBe("running");
    expect(stack.stateOf("blue")).toBe("stopped");
    expect((await stack.state.read())?.active).toBe("green");
    const afterStop = stack.compose.calls.slice(stack.compose.calls.findIndex((c) => c.verb === "stop" && c.project === "shop-blue") + 1);
    expect(afterStop.map((c) => `${c.verb}:${c.project}`)).toEqual(["run:shop-green"]);

    expect(result.message).toContain("green (v2) went live, then the contract step failed");
    expect(result.message).toContain("exited with 1");
    expect(result.message).toContain('| ERROR: column "author" is referenced by a view');
    expect(result.stateNow).toContain("green (v2) is live and serves all traffic; blue (v1) was drained and stopped; nothing was rolled back");
    expect(result.nextStep).toContain("`bluegreen migrate --contract`");
    expect(result.error?.kind).toBe("failed");

    const failed = events.find((e) => e.type === "phase" && e.phase === "contract" && e.status === "failed");
    expect(failed?.type === "phase" ? failed.detail : "").toContain('ERROR: column "author" is referenced by a view');
    const plain = events.flatMap((e) => renderEventText(e, createStyle({ isTTY: false }), { verbose: false }));
    expect(plain.some((l) => l.startsWith("✗ contract FAILED"))).toBe(true);
    expect(plain).toContain(`  state now: ${result.stateNow ?? ""}`);
    expect(plain.some((l) => l.startsWith("  next step: fix the contract step"))).toBe(true);

    // The TUI's checklist, folded from the same events, shows the failed contract after the stop.
    const tui = events.reduce((st, event) => reduceOperation(st, { type: "engine", event, now: 0 }), initialOperationState("deploy", "Deploy v2", 0, false));
    const rows = tui.phases.map((p) => `${p.phase}:${p.status}`);
    expect(rows.slice(rows.indexOf("stop:ok"), rows.indexOf("stop:ok") + 2)).toEqual(["stop:ok", "contract:failed"]);
    expect(rows.indexOf("migrate:ok")).toBe(rows.indexOf("build:ok") + 1);
    expect(tui.result?.outcome).toBe("failed");

    // The deploy did not finish: on-failure runs, post-deploy does not.
    expect(stack.hooks.points()).toEqual(["on-failure"]);
    expect(stack.hooks.runs[0]?.env).toMatchObject({ BLUEGREEN_OUTCOME: "failed", BLUEGREEN_FAILED_PHASE: "contract", BLUEGREEN_MIGRATE_OK: "false" });
    const entry = stack.history.entries[0];
    expect(entry).toMatchObject({ outcome: "failed", failedPhases: ["contract"], to: { color: "green", version: "v2" } });
    expect(entry?.error).toContain("the contract step failed");
    expect(entry?.migrations?.[1]).toMatchObject({
      step: "contract",
      ok: false,
      exitCode: 1,
      output: ["migrate: applying 102", 'ERROR: column "author" is referenced by a view', "migrate: FAILED, rolled back (nothing changed)"],
    });
  });

  it("reports a contract step that was interrupted (Ctrl-C) as aborted, with green still live", async () => {
    const stack = liveBlue({ migrate: MIGRATE, keepOldWarm: false });
    const controller = new AbortController();
    let runs = 0;
    const runOnce = stack.compose.runOnce.bind(stack.compose);
    stack.compose.runOnce = async (target, service, argv, opts) => {
      if (++runs === 2) {
        controller.abort();
        return { exitCode: null, timedOut: false, aborted: true, lines: ["migrate: applying 102"], command: "docker-compose run" };
      }
      return runOnce(target, service, argv, opts);
    };
    const { result } = await runOperation((h) => stack.engine.deploy({ version: "v2" }, { ...h, signal: controller.signal }));
    expect(result.outcome).toBe("aborted");
    expect(exitCodeOf(result)).toBe(ExitCode.Interrupted);
    expect(phaseStatus(result, "contract")).toBe("failed");
    expect(result.message).toContain("was interrupted; its container was removed");
    expect(result.stateNow).toContain("green (v2) is live and serves all traffic");
    expect(stack.proxy.live).toBe("green");
  });

  it("runs no migration when none is configured", async () => {
    const stack = liveBlue();
    const { result } = await deploy(stack);
    expect(result.phases.some((p) => p.phase === "migrate")).toBe(false);
    expect(stack.compose.calls.some((c) => c.verb === "run")).toBe(false);
  });
});

describe("migrate: on its own", () => {
  it("runs the expand step in the live release's image under the lock and records it", async () => {
    const stack = FakeStack.seeded({ live: "green", green: { version: "v2" } }, { migrate: MIGRATE });
    const { result } = await runOperation((h) => stack.engine.migrate({ contract: false }, h));
    expect(result.outcome).toBe("success");
    expect(stack.compose.calls.find((c) => c.verb === "run")).toMatchObject({ project: "shop-green", env: { BLUEGREEN_VERSION: "v2" }, opts: { service: "app-green" } });
    expect(stack.lock.acquisitions).toBe(1);
    expect(stack.history.entries[0]).toMatchObject({ operation: "migrate", outcome: "success", migrations: [{ step: "expand", ok: true }] });
  });

  it("refuses the contract step while the other color still runs", async () => {
    const stack = FakeStack.seeded({ live: "green", blue: { version: "v1" }, green: { version: "v2" } }, { migrate: MIGRATE });
    const { result } = await runOperation((h) => stack.engine.migrate({ contract: true }, h));
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("blue (v1) is still running");
    expect(stack.compose.calls.some((c) => c.verb === "run")).toBe(false);
  });

  it("fails with the migration's output and exit code when it fails", async () => {
    const stack = FakeStack.seeded({ live: "green", green: { version: "v2" } }, { migrate: MIGRATE });
    stack.compose.oneOffs.push({ exitCode: 2, lines: ["relation \"notes\" does not exist"] });
    const { result } = await runOperation((h) => stack.engine.migrate({ contract: false }, h));
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("exited with 2");
    expect(result.message).toContain('relation "notes" does not exist');
    expect(stack.history.entries[0]?.migrations).toMatchObject([{ ok: false, exitCode: 2 }]);
  });
});
