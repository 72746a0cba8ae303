// The tests the proxy-*.test.ts files share: each file opens its describe block with
// demoStackWithDriver() and then declares, in order, these and its driver's own tests. The tests of
// one block run in order on one stack, each starting from the routing the one before left.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ProxyDriver } from "../../src/proxy/driver.js";
import { type DemoProxy, type DemoStack, run, startDemoStack } from "../../testkit/demo-stack.js";
import {
  colorsSeen,
  keepAliveLoad,
  proxyContainerOf,
  reportFigures,
  switchRepeatedly,
  waitForPing,
  waitForTraffic,
  webSocketAcrossSwitch,
} from "./proxy-harness.js";

/** The stack and driver of a describe block, readable once its beforeAll ran. */
export interface DriverOnStack<D extends ProxyDriver> {
  readonly stack: DemoStack;
  readonly driver: D;
}

/**
 * A demo stack with both colors up for the enclosing describe block (destroyed after it), and the
 * driver `makeDriver` builds for it; `ready` runs before the first test.
 */
export function demoStackWithDriver<D extends ProxyDriver>(
  options: { name: string; proxy: DemoProxy; proxyPort: number; previewPort: number; nginxRoute?: "njs" | "reload" },
  makeDriver: (stack: DemoStack) => D,
  ready?: (stack: DemoStack) => Promise<void>,
): DriverOnStack<D> {
  let stack: DemoStack | undefined;
  let driver: D | undefined;
  beforeAll(async () => {
    stack = await startDemoStack({ ...options, colors: { blue: {}, green: {} } });
    driver = makeDriver(stack);
    await ready?.(stack);
  });
  afterAll(async () => {
    await stack?.destroy();
  });
  return {
    get stack() {
      if (!stack) throw new Error(`demo stack ${options.name} is not up`);
      return stack;
    },
    get driver() {
      if (!driver) throw new Error(`no ${options.proxy} driver: demo stack ${options.name} is not up`);
      return driver;
    },
  };
}

/** Start: live=blue, preview=green, as `source` (the proxy's own config) says. */
export function itReadsStartingRouting(t: DriverOnStack<ProxyDriver>, source: string): void {
  it(`reads the routing of the running proxy: ${source} live=blue, preview=green`, async () => {
    expect(await t.driver.ping()).toMatchObject({ ok: true });
    expect(await t.driver.liveTarget()).toBe("blue");
    expect(await t.driver.previewTarget()).toBe("green");
    expect(await colorsSeen(t.stack.liveUrl)).toEqual(Array(5).fill("blue"));
    expect(await colorsSeen(t.stack.previewUrl)).toEqual(Array(5).fill("green"));
  });
}

/**
 * Leaves live=green, preview=blue. `freshGets`: GETs on fresh connections per route right after
 * each change; `savedCheck`: the driver's own check that the change was persisted.
 */
export function itSwitchesLiveAndPreview(
  t: DriverOnStack<ProxyDriver>,
  options: { title: string; freshGets: number; savedCheck?: () => Promise<void> },
): void {
  it(options.title, async () => {
    const started = performance.now();
    await t.driver.switchLive("green");
    const switchMs = performance.now() - started;
    expect(await t.driver.liveTarget()).toBe("green");
    expect(await colorsSeen(t.stack.liveUrl, options.freshGets)).toEqual(Array(options.freshGets).fill("green"));

    await t.driver.pointPreview("blue");
    expect(await t.driver.previewTarget()).toBe("blue");
    expect(await colorsSeen(t.stack.previewUrl, options.freshGets)).toEqual(Array(options.freshGets).fill("blue"));
    reportFigures(t.driver.name, { singleSwitchMs: Math.round(switchMs) });
    await options.savedCheck?.();
  });
}

/** Expects live=green, preview=blue before and after; `how` the proxy keeps it, for the title. */
export function itKeepsRoutingAcrossRestart(
  t: DriverOnStack<ProxyDriver>,
  options: { how?: string; waitForPreviewTraffic?: boolean } = {},
): void {
  it(`a restarted proxy container keeps its routing${options.how ? ` (${options.how})` : ""}`, async () => {
    const id = await proxyContainerOf(t.stack)();
    await run("docker", ["restart", "-t", "5", id]);
    await waitForPing(t.driver);
    expect(await t.driver.liveTarget()).toBe("green");
    expect(await t.driver.previewTarget()).toBe("blue");
    await waitForTraffic(t.stack.liveUrl, "green");
    if (options.waitForPreviewTraffic) await waitForTraffic(t.stack.previewUrl, "blue");
  });
}

/** Expects live=green before and after. */
export function itStartsDespiteStaleAdminSocket(t: DriverOnStack<ProxyDriver>): void {
  it("a stale admin socket left by a killed proxy does not stop it from starting", async () => {
    const id = await proxyContainerOf(t.stack)();
    await run("docker", ["kill", id]);
    await run("docker", ["start", id]);
    await waitForPing(t.driver);
    expect(await t.driver.liveTarget()).toBe("green");
  });
}

/**
 * Expects live=green and leaves it so. `oldSocketStaysOpen`: the WebSocket opened before the switch
 * stays on its color (ticks keep coming), or the proxy closes it.
 */
export function itPassesWebSocketsAcrossSwitch(t: DriverOnStack<ProxyDriver>, options: { title: string; oldSocketStaysOpen: boolean }): void {
  it(options.title, async () => {
    const result = await webSocketAcrossSwitch(t.driver, t.stack.liveUrl, "blue");
    reportFigures(t.driver.name, { webSocketAcrossSwitch: result });
    expect(result.before).toBe("green");
    expect(result.newColor).toBe("blue");
    expect(result.openAfter).toBe(options.oldSocketStaysOpen);
    if (options.oldSocketStaysOpen) expect(result.ticksAfterSwitch).toBeGreaterThan(3);
    await t.driver.switchLive("green");
  });
}

/**
 * 5 switches (blue first) under a keep-alive load; leaves live=blue. `losesNoRequest`: no socket
 * error either (a driver that reloads may reset idle keep-alive connections: figures only).
 * `first` runs before the load starts.
 */
export function itSwitchesUnderKeepAliveLoad(
  t: DriverOnStack<ProxyDriver>,
  options: { losesNoRequest: boolean; first?: () => Promise<void> },
): void {
  const title = `5 switches under a keep-alive request loop${options.losesNoRequest ? " lose no request" : ": figures"}`;
  it(title, async () => {
    await options.first?.();
    const { load, value: durations } = await keepAliveLoad(
      `${t.stack.liveUrl}/`,
      { connections: 8, maxMs: 30_000, maxRequests: 200_000 },
      () => switchRepeatedly(t.driver, "blue", 5, 400),
    );
    reportFigures(t.driver.name, { switchMs: durations, ...load });
    expect(load.requests).toBeGreaterThan(100);
    if (options.losesNoRequest) expect(load.socketErrors).toBe(0);
    expect(load.httpErrors).toBe(0);
    expect(load.byColor.blue).toBeGreaterThan(0);
    expect(load.byColor.green).toBeGreaterThan(0);
    expect(await t.driver.liveTarget()).toBe("blue");
  });
}
