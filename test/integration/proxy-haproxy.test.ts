import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ProxyChangeRejected } from "../../src/proxy/driver.js";
import { HaproxyDriver } from "../../src/proxy/haproxy.js";
import { parseServersState } from "../../src/proxy/haproxy-state.js";
import { demoStackWithDriver, itKeepsRoutingAcrossRestart, itPassesWebSocketsAcrossSwitch, itReadsStartingRouting, itSwitchesLiveAndPreview, itSwitchesUnderKeepAliveLoad } from "./proxy-driver-tests.js";
import { colorsSeen, proxyConfigOf, waitForTraffic } from "./proxy-harness.js";

describe("HAProxy driver against the demo stack's HAProxy proxy", () => {
  const t = demoStackWithDriver(
    { name: "bgt-h3-haproxy", proxy: "haproxy", proxyPort: 18220, previewPort: 18221 },
    (stack) => new HaproxyDriver(proxyConfigOf(stack)),
    // The proxy may start before the colors exist: wait until Docker's DNS gave it both addresses.
    (stack) => waitForTraffic(stack.previewUrl, "green"),
  );

  itReadsStartingRouting(t, "config defaults");

  itSwitchesLiveAndPreview(t, {
    title: "switchLive and pointPreview change what the routes serve, the read-back agrees, the state is saved",
    freshGets: 5,
    savedCheck: async () => {
      const saved = parseServersState(await readFile(t.driver.stateFile, "utf8"));
      expect(saved.filter((s) => s.backend === "live").map((s) => [s.server, s.adminState & 1])).toEqual([
        ["blue", 1],
        ["green", 0],
      ]);
    },
  });

  itKeepsRoutingAcrossRestart(t, { how: "server-state file", waitForPreviewTraffic: true });

  itPassesWebSocketsAcrossSwitch(t, {
    title: "WebSockets pass through, and one opened before a switch stays on its color until it closes",
    oldSocketStaysOpen: true,
  });

  itSwitchesUnderKeepAliveLoad(t, { losesNoRequest: true });

  it("switching to a color that is not running is undone and says so; the old color keeps serving", async () => {
    await t.stack.stopColor("green");
    const started = performance.now();
    const error = await t.driver.switchLive("green").catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ProxyChangeRejected);
    expect((error as Error).message).toMatch(/live\/green did not come up/);
    expect((error as Error).message).toMatch(/live still goes to blue/);
    expect(elapsed).toBeLessThan(6000);
    expect(await t.driver.liveTarget()).toBe("blue");
    expect(await colorsSeen(t.stack.liveUrl)).toEqual(Array(5).fill("blue"));
  });
});
