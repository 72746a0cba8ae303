import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CaddyDriver } from "../../src/proxy/caddy.js";
import { demoStackWithDriver, itKeepsRoutingAcrossRestart, itPassesWebSocketsAcrossSwitch, itReadsStartingRouting, itStartsDespiteStaleAdminSocket, itSwitchesLiveAndPreview, itSwitchesUnderKeepAliveLoad } from "./proxy-driver-tests.js";
import { proxyConfigOf } from "./proxy-harness.js";

describe("Caddy driver against the demo stack's Caddy proxy", () => {
  const t = demoStackWithDriver({ name: "bgt-h3-caddy", proxy: "caddy", proxyPort: 18210, previewPort: 18211 }, (stack) => new CaddyDriver(proxyConfigOf(stack)));

  itReadsStartingRouting(t, "baked config");

  itSwitchesLiveAndPreview(t, {
    title: "switchLive and pointPreview change what the routes serve, and the read-back agrees",
    freshGets: 5,
    savedCheck: async () => {
      // Caddy autosaved the change into the run dir.
      const autosave = await readFile(join(t.stack.runDir, "caddy", "autosave.json"), "utf8");
      expect(autosave).toContain('"dial":"app-green:3000"');
    },
  });

  it("switching to the color already live changes nothing", async () => {
    await t.driver.switchLive("green");
    expect(await t.driver.liveTarget()).toBe("green");
  });

  itKeepsRoutingAcrossRestart(t, { how: "--resume from the autosave" });

  itStartsDespiteStaleAdminSocket(t);

  // Caddy < 2.7 (no stream_close_delay) ends proxied streams when the old config is unloaded.
  itPassesWebSocketsAcrossSwitch(t, {
    title: "WebSockets pass through; Caddy 2.6 closes the ones on the old route when its config changes",
    oldSocketStaysOpen: false,
  });

  itSwitchesUnderKeepAliveLoad(t, { losesNoRequest: false });
});
