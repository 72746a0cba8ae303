/**
 * Bad input through the real CLI (no stdin) against one live HAProxy demo stack under a request
 * loop: each case must exit with its code, name the problem, and change no container, proxy target
 * or state file. The same cases run in the fault suite (faults/bad-input).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BAD_INPUT_CASES, BAD_INPUT_PORTS } from "../../testkit/bad-input/cases.js";
import { BadInputHarness } from "../../testkit/bad-input/harness.js";

describe("bad input through the CLI on a live HAProxy stack", () => {
  let harness: BadInputHarness | undefined;
  beforeAll(async () => {
    harness = await BadInputHarness.start({ name: "bgt-bad-input", proxy: "haproxy", proxyPort: BAD_INPUT_PORTS.live, previewPort: BAD_INPUT_PORTS.preview, closedPort: BAD_INPUT_PORTS.closed, concurrency: 4 });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it("has at least 30 cases", () => {
    expect(BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(30);
  });

  describe.concurrent("cases", () => {
    for (const c of BAD_INPUT_CASES) {
      it(c.name, async () => {
        if (!harness) throw new Error("the demo stack did not start (see beforeAll)");
        const o = await harness.run(c);
        expect(o.problems, `${o.problems.join("\n")}\n--- output ---\n${o.output}`).toEqual([]);
        expect(o.hard).toBe(0);
      }, 180_000);
    }
  });

  it("lost no request through the live route across all cases", async () => {
    if (!harness) throw new Error("the demo stack did not start (see beforeAll)");
    const summary = await harness.stop();
    harness = undefined;
    expect(summary.requests).toBeGreaterThan(100);
    expect(summary.hard, JSON.stringify(summary.firstHard)).toBe(0);
    expect(summary.colors.green ?? 0).toBe(0);
  });
});
