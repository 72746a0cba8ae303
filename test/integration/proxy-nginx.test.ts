import { readFile, writeFile, rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyChangeRejected } from "../../src/proxy/driver.js";
import { NginxDriver } from "../../src/proxy/nginx.js";
import { type DemoStack, run, startDemoStack } from "../helpers/demo-stack.js";
import {
  colorsSeen,
  dockerCliExec,
  keepAliveLoad,
  proxyConfigOf,
  proxyContainerOf,
  reportFigures,
  switchRepeatedly,
  webSocketAcrossSwitch,
  waitForPing,
  waitForTraffic,
} from "./proxy-harness.js";

describe("nginx driver against the demo stack's nginx proxy", () => {
  let stack: DemoStack;
  let driver: NginxDriver;

  beforeAll(async () => {
    stack = await startDemoStack({
      name: "bgt-h3-nginx",
      proxy: "nginx",
      proxyPort: 18200,
      previewPort: 18201,
      colors: { blue: {}, green: {} },
    });
    driver = new NginxDriver(proxyConfigOf(stack), dockerCliExec, proxyContainerOf(stack));
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it("reads the routing of the running proxy: defaults live=blue, preview=green", async () => {
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
    // Fresh connections right after the call: none may land on a pre-reload worker.
    expect(await colorsSeen(stack.liveUrl, 20)).toEqual(Array(20).fill("green"));

    await driver.pointPreview("blue");
    expect(await driver.previewTarget()).toBe("blue");
    expect(await colorsSeen(stack.previewUrl, 20)).toEqual(Array(20).fill("blue"));
    reportFigures("nginx", { singleSwitchMs: Math.round(switchMs) });
  });

  it("a configuration nginx rejects is restored and nothing is reloaded", async () => {
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
      expect(await colorsSeen(stack.liveUrl)).toEqual(Array(5).fill("green"));
    } finally {
      await writeFile(previewFile, previewGood);
    }
  });

  it("a restarted proxy container keeps its routing", async () => {
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

  it("WebSockets pass through, and one opened before a switch stays on its color until it closes", async () => {
    const result = await webSocketAcrossSwitch(driver, stack.liveUrl, "blue");
    reportFigures("nginx", { webSocketAcrossSwitch: result });
    expect(result.before).toBe("green");
    expect(result.newColor).toBe("blue");
    expect(result.openAfter).toBe(true);
    expect(result.ticksAfterSwitch).toBeGreaterThan(3);
    await driver.switchLive("green");
  });

  it("5 switches under a keep-alive request loop: figures", async () => {
    await driver.pointPreview("green");
    const { load, value: durations } = await keepAliveLoad(
      `${stack.liveUrl}/`,
      { connections: 8, maxMs: 30_000, maxRequests: 200_000 },
      () => switchRepeatedly(driver, "blue", 5, 400),
    );
    reportFigures("nginx", { switchMs: durations, ...load });
    expect(load.requests).toBeGreaterThan(100);
    expect(load.httpErrors).toBe(0);
    expect(load.byColor.blue).toBeGreaterThan(0);
    expect(load.byColor.green).toBeGreaterThan(0);
    expect(await driver.liveTarget()).toBe("blue");
  });

  it("with no include files the proxy falls back to live=blue, preview=green", async () => {
    await rm(driver.includeFile("live"));
    await rm(driver.includeFile("preview"));
    const id = await proxyContainerOf(stack)();
    expect((await dockerCliExec.exec(id, ["nginx", "-s", "reload"])).exitCode).toBe(0);
    await waitForTraffic(stack.previewUrl, "green");
    expect(await driver.liveTarget()).toBe("blue");
    expect(await driver.previewTarget()).toBe("green");
  });
});
