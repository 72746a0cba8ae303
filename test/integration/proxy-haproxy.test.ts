import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyChangeRejected } from "../../src/proxy/driver.js";
import { HaproxyDriver } from "../../src/proxy/haproxy.js";
import { parseServersState } from "../../src/proxy/haproxy-state.js";
import { type DemoStack, run, startDemoStack } from "../helpers/demo-stack.js";
import {
  colorsSeen,
  keepAliveLoad,
  proxyConfigOf,
  proxyContainerOf,
  reportFigures,
  switchRepeatedly,
  webSocketAcrossSwitch,
  waitForPing,
  waitForTraffic,
} from "./proxy-harness.js";

describe("HAProxy driver against the demo stack's HAProxy proxy", () => {
  let stack: DemoStack;
  let driver: HaproxyDriver;

  beforeAll(async () => {
    stack = await startDemoStack({
      name: "bgt-h3-haproxy",
      proxy: "haproxy",
      proxyPort: 18220,
      previewPort: 18221,
      colors: { blue: {}, green: {} },
    });
    driver = new HaproxyDriver(proxyConfigOf(stack));
    // The proxy may start before the colors exist: wait until Docker's DNS gave it both addresses.
    await waitForTraffic(stack.previewUrl, "green");
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it("reads the routing of the running proxy: config defaults live=blue, preview=green", async () => {
    expect(await driver.ping()).toMatchObject({ ok: true });
    expect(await driver.liveTarget()).toBe("blue");
    expect(await driver.previewTarget()).toBe("green");
    expect(await colorsSeen(stack.liveUrl)).toEqual(Array(5).fill("blue"));
    expect(await colorsSeen(stack.previewUrl)).toEqual(Array(5).fill("green"));
  });

  it("switchLive and pointPreview change what the routes serve, the read-back agrees, the state is saved", async () => {
    const started = performance.now();
    await driver.switchLive("green");
    const switchMs = performance.now() - started;
    expect(await driver.liveTarget()).toBe("green");
    expect(await colorsSeen(stack.liveUrl)).toEqual(Array(5).fill("green"));

    await driver.pointPreview("blue");
    expect(await driver.previewTarget()).toBe("blue");
    expect(await colorsSeen(stack.previewUrl)).toEqual(Array(5).fill("blue"));
    reportFigures("haproxy", { singleSwitchMs: Math.round(switchMs) });

    const saved = parseServersState(await readFile(driver.stateFile, "utf8"));
    expect(saved.filter((s) => s.backend === "live").map((s) => [s.server, s.adminState & 1])).toEqual([
      ["blue", 1],
      ["green", 0],
    ]);
  });

  it("a restarted proxy container keeps its routing (server-state file)", async () => {
    const id = await proxyContainerOf(stack)();
    await run("docker", ["restart", "-t", "5", id]);
    await waitForPing(driver);
    expect(await driver.liveTarget()).toBe("green");
    expect(await driver.previewTarget()).toBe("blue");
    await waitForTraffic(stack.liveUrl, "green");
    await waitForTraffic(stack.previewUrl, "blue");
  });

  it("WebSockets pass through, and one opened before a switch stays on its color until it closes", async () => {
    const result = await webSocketAcrossSwitch(driver, stack.liveUrl, "blue");
    reportFigures("haproxy", { webSocketAcrossSwitch: result });
    expect(result.before).toBe("green");
    expect(result.newColor).toBe("blue");
    expect(result.openAfter).toBe(true);
    expect(result.ticksAfterSwitch).toBeGreaterThan(3);
    await driver.switchLive("green");
  });

  it("5 switches under a keep-alive request loop lose no request", async () => {
    const { load, value: durations } = await keepAliveLoad(
      `${stack.liveUrl}/`,
      { connections: 8, maxMs: 30_000, maxRequests: 200_000 },
      () => switchRepeatedly(driver, "blue", 5, 400),
    );
    reportFigures("haproxy", { switchMs: durations, ...load });
    expect(load.requests).toBeGreaterThan(100);
    expect(load.socketErrors).toBe(0);
    expect(load.httpErrors).toBe(0);
    expect(load.byColor.blue).toBeGreaterThan(0);
    expect(load.byColor.green).toBeGreaterThan(0);
    expect(await driver.liveTarget()).toBe("blue");
  });

  it("switching to a color that is not running is undone and says so; the old color keeps serving", async () => {
    await stack.stopColor("green");
    const started = performance.now();
    const error = await driver.switchLive("green").catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ProxyChangeRejected);
    expect((error as Error).message).toMatch(/live\/green did not come up/);
    expect((error as Error).message).toMatch(/live still goes to blue/);
    expect(elapsed).toBeLessThan(6000);
    expect(await driver.liveTarget()).toBe("blue");
    expect(await colorsSeen(stack.liveUrl)).toEqual(Array(5).fill("blue"));
  });
});
