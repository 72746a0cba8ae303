import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaddyDriver } from "../../src/proxy/caddy.js";
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

describe("Caddy driver against the demo stack's Caddy proxy", () => {
  let stack: DemoStack;
  let driver: CaddyDriver;

  beforeAll(async () => {
    stack = await startDemoStack({
      name: "bgt-h3-caddy",
      proxy: "caddy",
      proxyPort: 18210,
      previewPort: 18211,
      colors: { blue: {}, green: {} },
    });
    driver = new CaddyDriver(proxyConfigOf(stack));
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it("reads the routing of the running proxy: baked config live=blue, preview=green", async () => {
    expect(await driver.ping()).toMatchObject({ ok: true });
    expect(await driver.liveTarget()).toBe("blue");
    expect(await driver.previewTarget()).toBe("green");
    expect(await colorsSeen(stack.liveUrl)).toEqual(Array(5).fill("blue"));
    expect(await colorsSeen(stack.previewUrl)).toEqual(Array(5).fill("green"));
  });

  it("switchLive and pointPreview change what the routes serve, and the read-back agrees", async () => {
    const started = performance.now();
    await driver.switchLive("green");
    const switchMs = performance.now() - started;
    expect(await driver.liveTarget()).toBe("green");
    expect(await colorsSeen(stack.liveUrl)).toEqual(Array(5).fill("green"));

    await driver.pointPreview("blue");
    expect(await driver.previewTarget()).toBe("blue");
    expect(await colorsSeen(stack.previewUrl)).toEqual(Array(5).fill("blue"));
    reportFigures("caddy", { singleSwitchMs: Math.round(switchMs) });

    // Caddy autosaved the change into the run dir.
    const autosave = await readFile(join(stack.runDir, "caddy", "autosave.json"), "utf8");
    expect(autosave).toContain('"dial":"app-green:3000"');
  });

  it("switching to the color already live changes nothing", async () => {
    await driver.switchLive("green");
    expect(await driver.liveTarget()).toBe("green");
  });

  it("a restarted proxy container keeps its routing (--resume from the autosave)", async () => {
    const id = await proxyContainerOf(stack)();
    await run("docker", ["restart", "-t", "5", id]);
    await waitForPing(driver);
    expect(await driver.liveTarget()).toBe("green");
    expect(await driver.previewTarget()).toBe("blue");
    await waitForTraffic(stack.liveUrl, "green");
  });

  it("a stale admin socket left by a killed proxy does not stop it from starting", async () => {
    const id = await proxyContainerOf(stack)();
    await run("docker", ["kill", id]);
    await run("docker", ["start", id]);
    await waitForPing(driver);
    expect(await driver.liveTarget()).toBe("green");
  });

  it("WebSockets pass through; Caddy 2.6 closes the ones on the old route when its config changes", async () => {
    const result = await webSocketAcrossSwitch(driver, stack.liveUrl, "blue");
    reportFigures("caddy", { webSocketAcrossSwitch: result });
    expect(result.before).toBe("green");
    expect(result.newColor).toBe("blue");
    // Caddy < 2.7 (no stream_close_delay) ends proxied streams when the old config is unloaded.
    expect(result.openAfter).toBe(false);
    await driver.switchLive("green");
  });

  it("5 switches under a keep-alive request loop: figures", async () => {
    const { load, value: durations } = await keepAliveLoad(
      `${stack.liveUrl}/`,
      { connections: 8, maxMs: 30_000, maxRequests: 200_000 },
      () => switchRepeatedly(driver, "blue", 5, 400),
    );
    reportFigures("caddy", { switchMs: durations, ...load });
    expect(load.requests).toBeGreaterThan(100);
    expect(load.httpErrors).toBe(0);
    expect(load.byColor.blue).toBeGreaterThan(0);
    expect(load.byColor.green).toBeGreaterThan(0);
    expect(await driver.liveTarget()).toBe("blue");
  });
});
