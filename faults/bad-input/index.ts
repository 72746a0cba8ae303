/**
 * The bad-input group of the fault suite: every case of cases.ts through the real CLI against one
 * live HAProxy demo stack under a request loop (the same code test/integration/cli-bad-input.test.ts runs).
 */
import { matchesFilter, type ScenarioGroup } from "../types.js";
import { BAD_INPUT_CASES, BAD_INPUT_PORTS } from "../../testkit/bad-input/cases.js";
import { BadInputHarness, caseResult } from "../../testkit/bad-input/harness.js";

export const PREFIX = "bad-input";

export const group: ScenarioGroup = {
  name: PREFIX,
  async run(ctx, report) {
    const cases = BAD_INPUT_CASES.filter((c) => matchesFilter(`${PREFIX}: ${c.name}`, ctx.filter));
    if (cases.length === 0) return;
    ctx.log(`starting the HAProxy demo stack for ${cases.length} cases`);
    const harness = await BadInputHarness.start({ name: "bgt-bad-input", proxy: "haproxy", proxyPort: BAD_INPUT_PORTS.live, previewPort: BAD_INPUT_PORTS.preview, closedPort: BAD_INPUT_PORTS.closed });
    try {
      await Promise.all(cases.map(async (c) => report(caseResult(PREFIX, await harness.run(c)))));
    } finally {
      const total = await harness.stop();
      ctx.log(`${total.requests} requests through the live route across all cases, ${total.hard} hard failures`);
    }
  },
};
