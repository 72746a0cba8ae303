import { describe, expect, it } from "vitest";
import type { Engine } from "../../../src/engine/engine.js";
import type { EngineLike } from "../../../src/tui/types.js";
import { dashboardBanners } from "../../../src/tui/state/banners.js";
import { previewDeploy } from "../../../src/tui/state/deploy-plan.js";
import { planDeploy } from "../../../src/engine/operations/deploy.js";
import { appendBounded, describeDockerEvent, isRelevantDockerAction } from "../../../src/tui/state/event-log.js";
import { initialOperationState, reduceOperation, runningPhase } from "../../../src/tui/state/operation-state.js";
import { moveSelection } from "../../../src/tui/state/selection.js";
import { sparkline } from "../../../src/tui/components/Sparkline.js";
import { truncate, formatMs } from "../../../src/tui/format.js";
import { container, makeStatus } from "./fakes.js";

describe("operation state", () => {
  it("folds phase events into the deploy checklist and keeps only the last five output lines", () => {
    let s = initialOperationState("deploy", "Deploy v2", 0, false);
    s = reduceOperation(s, { type: "engine", now: 100, event: { type: "phase", phase: "build", status: "start", detail: "building" } });
    for (let i = 0; i < 9; i++) s = reduceOperation(s, { type: "engine", now: 200, event: { type: "output", source: "platform", line: `l${i}` } });
    expect(runningPhase(s)).toMatchObject({ phase: "build", startedAt: 100, detail: "building" });
    expect(s.output).toEqual(["l4", "l5", "l6", "l7", "l8"]);
    s = reduceOperation(s, { type: "engine", now: 300, event: { type: "phase", phase: "build", status: "ok", ms: 200 } });
    expect(s.phases.find((p) => p.phase === "build")).toMatchObject({ status: "ok", ms: 200 });
    expect(s.phases.map((p) => p.phase)[0]).toBe("preflight");
    expect(runningPhase(s)).toBeNull();
  });

  it("adds phases as they come for operations without a fixed plan", () => {
    let s = initialOperationState("rollback", "Roll back", 0, false);
    expect(s.phases).toEqual([]);
    s = reduceOperation(s, { type: "engine", now: 1, event: { type: "phase", phase: "rollback-switch", status: "start" } });
    expect(s.phases.map((p) => p.phase)).toEqual(["rollback-switch"]);
  });
});

describe("event log", () => {
  it("keeps the newest entries up to the bound", () => {
    expect(appendBounded([1, 2, 3], [4, 5], 4)).toEqual([2, 3, 4, 5]);
  });
  it("drops health-check execs and names health results", () => {
    expect(isRelevantDockerAction("exec_start: node /app/healthcheck.js")).toBe(false);
    expect(isRelevantDockerAction("die")).toBe(true);
    expect(describeDockerEvent({ time: 0, action: "health_status: unhealthy", containerId: "x", name: "app-green", project: null, service: null, color: "green" })).toEqual({ text: "app-green unhealthy", tone: "error" });
  });
});

describe("selection", () => {
  it("wraps around both ways", () => {
    expect(moveSelection(["a", "b", "c"], "c", 1)).toBe("a");
    expect(moveSelection(["a", "b", "c"], "a", -1)).toBe("c");
    expect(moveSelection([], null, 1)).toBeNull();
  });
});

describe("deploy preview", () => {
  it("with no live route but blue recorded in the state file, names green, as the engine's planDeploy does", () => {
    const recorded = makeStatus({ active: null, blue: [] });
    recorded.state = { active: "blue", previous: null, versions: { blue: "v1" }, warm: false, updatedAt: "", updatedBy: "" };
    expect(previewDeploy(recorded, "v2").target).toBe(planDeploy(recorded, "v2", false).target);
    expect(previewDeploy(recorded, "v2").target).toBe("green");
  });
  it("targets the color the proxy does not route to, blue when none is live, and names blockers", () => {
    expect(previewDeploy(makeStatus({ active: "green", green: [container("app-green")] }), "v3").target).toBe("blue");
    expect(previewDeploy(makeStatus({ active: null, blue: [] }), "v1").target).toBe("blue");
    const locked = previewDeploy(makeStatus({ lock: { pid: 1, host: "h", user: "u", command: "deploy", startedAt: "", stale: false } }), "v2");
    expect(locked.blockers[0]).toContain("u@h holds the lock");
  });
});

describe("banners", () => {
  it("warns of drift only when the proxy answered", () => {
    const drift = makeStatus({ active: "green", recorded: "blue" });
    expect(dashboardBanners(drift, null, null).map((b) => b.text)).toContain("⚠ drift: the state file says blue is active, but the proxy routes to green");
    const unreachable = { ...drift, proxy: { ...drift.proxy, reachable: false } };
    expect(dashboardBanners(unreachable, null, null).some((b) => b.text.includes("drift"))).toBe(false);
  });
});

describe("formatting", () => {
  it("truncates with an ellipsis and formats durations", () => {
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("ab", 4)).toBe("ab");
    expect([formatMs(850), formatMs(12_300), formatMs(135_000)]).toEqual(["850ms", "12.3s", "2m15s"]);
    expect(sparkline([0, 5, 10])).toBe("▁▅█");
  });
});

describe("EngineLike", () => {
  it("is satisfied by the real Engine (checked by the compiler)", () => {
    const fits = (engine: Engine): EngineLike => engine;
    expect(typeof fits).toBe("function");
  });
});
