import { readFile, writeFile, rm } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ProxyChangeRejected } from "../../src/proxy/driver.js";
import { NginxDriver } from "../../src/proxy/nginx.js";
import { demoStackWithDriver, itKeepsRoutingAcrossRestart, itPassesWebSocketsAcrossSwitch, itReadsStartingRouting, itStartsDespiteStaleAdminSocket, itSwitchesLiveAndPreview, itSwitchesUnderKeepAliveLoad } from "./proxy-driver-tests.js";
import { colorsSeen, dockerCliExec, proxyConfigOf, proxyContainerOf, waitForTraffic } from "./proxy-harness.js";

// The reload path: an nginx without the njs module (built with BG_NGINX_ROUTE=reload) is switched by
// `nginx -t` + reload, and keeps every guarantee it had. The njs route: proxy-nginx-njs.test.ts.
describe("nginx driver against the demo stack's nginx proxy without njs (reload mode)", () => {
  const t = demoStackWithDriver(
    { name: "bgt-h3-nginx", proxy: "nginx", proxyPort: 18200, previewPort: 18201, nginxRoute: "reload" },
    (stack) => new NginxDriver(proxyConfigOf(stack), dockerCliExec, proxyContainerOf(stack)),
  );

  itReadsStartingRouting(t, "defaults");

  // Fresh connections right after the call: none may land on a pre-reload worker.
  itSwitchesLiveAndPreview(t, { title: "switchLive and pointPreview change what the routes serve, and the read-back agrees", freshGets: 20 });

  it("a configuration nginx rejects is restored and nothing is reloaded", async () => {
    const driver = t.driver;
    const before = await driver.targets();
    const liveFile = driver.includeFile("live");
    const liveBefore = await readFile(liveFile, "utf8");
    // An operator's broken edit of the other include file makes `nginx -t` fail.
    const previewFile = driver.includeFile("preview");
    const previewGood = await readFile(previewFile, "utf8");
    await writeFile(previewFile, "set $bg_color blue; this is not nginx;\n");
    try {
      const error = await driver.switchLive("blue").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProxyChangeRejected);
      const message = (error as Error).message;
      expect(message).toMatch(/nginx rejected/);
      expect(message).toMatch(/live still goes to green/);
      expect(message).toMatch(/unknown directive "this"/);
      expect(await readFile(liveFile, "utf8")).toBe(liveBefore);
      const after = await driver.targets();
      expect(after.pid).toBe(before.pid); // same worker: no reload happened
      expect(after.live).toBe("green");
      expect(await colorsSeen(t.stack.liveUrl)).toEqual(Array(5).fill("green"));
    } finally {
      await writeFile(previewFile, previewGood);
    }
  });

  itKeepsRoutingAcrossRestart(t);

  itStartsDespiteStaleAdminSocket(t);

  itPassesWebSocketsAcrossSwitch(t, {
    title: "WebSockets pass through, and one opened before a switch stays on its color until it closes",
    oldSocketStaysOpen: true,
  });

  itSwitchesUnderKeepAliveLoad(t, { losesNoRequest: false, first: () => t.driver.pointPreview("green") });

  it("with no include files the proxy falls back to live=blue, preview=green", async () => {
    await rm(t.driver.includeFile("live"));
    await rm(t.driver.includeFile("preview"));
    const id = await proxyContainerOf(t.stack)();
    expect((await dockerCliExec.exec(id, ["nginx", "-s", "reload"])).exitCode).toBe(0);
    await waitForTraffic(t.stack.previewUrl, "green");
    expect(await t.driver.liveTarget()).toBe("blue");
    expect(await t.driver.previewTarget()).toBe("green");
  });
});
