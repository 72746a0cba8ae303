import { describe, expect, it } from "vitest";
import type { Color } from "../../../src/domain/color.js";
import { RouteDriver, type ProxyRoute } from "../../../src/proxy/driver.js";

/** A driver that keeps its two routes in memory, and a control channel that can stop answering. */
class MemoryDriver extends RouteDriver {
  readonly name = "nginx" as const;
  readonly routes: Record<ProxyRoute, Color | null> = { live: "blue", preview: "green" };
  readonly changes: string[] = [];
  down: Error | null = null;

  protected async routeTarget(route: ProxyRoute): Promise<Color | null> {
    return this.routes[route];
  }

  protected async route(route: ProxyRoute, color: Color): Promise<void> {
    this.changes.push(`${route}→${color}`);
    this.routes[route] = color;
  }

  protected async describeControl(): Promise<string> {
    if (this.down) throw this.down;
    return `memory: live=${this.routes.live ?? "?"}`;
  }
}

describe("RouteDriver: the ProxyDriver calls as reads and changes of the two routes", () => {
  it("reads and points each route on its own", async () => {
    const driver = new MemoryDriver();
    await driver.pointPreview("blue");
    await driver.switchLive("green");
    expect(driver.changes).toEqual(["preview→blue", "live→green"]);
    expect([await driver.liveTarget(), await driver.previewTarget()]).toEqual(["green", "blue"]);
  });

  it("pings ok with what the control channel says, and not ok with why it did not answer", async () => {
    const driver = new MemoryDriver();
    expect(await driver.ping()).toEqual({ ok: true, detail: "memory: live=blue" });
    driver.down = Object.assign(new Error("connect failed"), { code: "ENOENT" });
    expect(await driver.ping()).toEqual({ ok: false, detail: "connect failed (ENOENT)" });
  });
});
