import { render } from "ink-testing-library";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { renderEventText } from "../../../src/cli/render/events-text.js";
import { createStyle } from "../../../src/cli/render/style.js";
import { PhaseChecklist } from "../../../src/tui/components/PhaseChecklist.js";
import { initialOperationState, reduceOperation } from "../../../src/tui/state/operation-state.js";
import { FakeStack } from "../../fakes/index.js";
import { runOperation } from "./event-checks.js";

/** A deploy of green v2 whose release dies under live traffic right after the switch. */
async function crashedAfterSwitch() {
  const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
  stack.scripts.green.failure = "crash-after-switch";
  return { stack, ...(await runOperation((h) => stack.engine.deploy({ version: "v2" }, h))) };
}

describe("a failed post-switch verify is shown as failed everywhere", () => {
  it("the JSON result lists verify as failed, then the switch back", async () => {
    const { result } = await crashedAfterSwitch();
    const json = JSON.parse(JSON.stringify(result)) as typeof result;
    expect(json.phases.map((p) => `${p.phase}:${p.status}`).slice(-2)).toEqual(["verify:failed", "rollback-switch:ok"]);
  });

  it("the plain output prints verify FAILED with its reason before the switch back", async () => {
    const { events } = await crashedAfterSwitch();
    const lines = events.flatMap((e) => renderEventText(e, createStyle({ isTTY: false }), { verbose: false }));
    const failed = lines.findIndex((l) => l.startsWith("✗ verify FAILED"));
    expect(failed, lines.join("\n")).toBeGreaterThan(-1);
    expect(lines[failed]).toContain("shop-green_app-green_1: die");
    expect(lines.findIndex((l) => l.startsWith("✓ rollback-switch"))).toBeGreaterThan(failed);
    expect(lines.some((l) => l.startsWith("✓ verify"))).toBe(false);
  });

  it("the TUI checklist marks verify ✖ and shows the switch back right after it", async () => {
    const { events } = await crashedAfterSwitch();
    let state = initialOperationState("deploy", "Deploy v2", 0, false);
    for (const event of events) state = reduceOperation(state, { type: "engine", event, now: 0 });
    const frame = render(createElement(PhaseChecklist, { phases: state.phases, spinner: "*", now: 0, width: 40 })).lastFrame() ?? "";
    const rows = frame.split("\n").map((l) => l.trim());
    const verify = rows.findIndex((l) => /^✖ verify\b/.test(l));
    expect(verify, frame).toBeGreaterThan(-1);
    expect(rows[verify + 1], frame).toMatch(/^✔ rollback-switch\b/);
  });

  it("the history entry names verify as the failed phase and keeps the reason", async () => {
    const { stack } = await crashedAfterSwitch();
    expect(stack.history.entries[0]).toMatchObject({ outcome: "rolled-back", failedPhases: ["verify"], verify: { ok: false } });
    expect(stack.history.entries[0]?.error).toContain("shop-green_app-green_1: die");
  });
});
