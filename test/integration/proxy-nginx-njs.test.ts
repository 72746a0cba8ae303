import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { NginxDriver } from "../../src/proxy/nginx.js";
import { demoStackWithDriver, itSwitchesLiveAndPreview } from "./proxy-driver-tests.js";
import { colorsSeen, dockerCliExec, proxyConfigOf, proxyContainerOf } from "./proxy-harness.js";

const execFileAsync = promisify(execFile);

/** wrk's counts: its own process, independent of bluegreen. */
async function wrk(url: string, seconds: number, connections: number): Promise<{ requests: number; socketErrors: number; non2xx: number }> {
  const { stdout } = await execFileAsync("wrk", ["-t2", `-c${connections}`, `-d${seconds}s`, url], { timeout: (seconds + 30) * 1000 });
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = errors ? errors.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses:\s*(\d+)/.exec(stdout)?.[1] ?? 0);
  return { requests, socketErrors, non2xx };
}

describe("nginx driver with the njs route (the demo image's default)", () => {
  const t = demoStackWithDriver(
    { name: "bgt-e4-njs", proxy: "nginx", proxyPort: 18230, previewPort: 18231 },
    (stack) => new NginxDriver(proxyConfigOf(stack), dockerCliExec, proxyContainerOf(stack)),
  );

  it("reports the njs route mode, so status can say a switch needs no reload", async () => {
    const targets = await t.driver.targets();
    expect(targets.mode).toBe("njs");
    expect(targets.how).toMatch(/no reload/);
  });

  itSwitchesLiveAndPreview(t, { title: "switchLive and pointPreview change what the routes serve at once, and the read-back agrees", freshGets: 20 });

  it("a switch replaces no worker: the same nginx worker answers before and after", async () => {
    const before = await t.driver.targets();
    await t.driver.switchLive(before.live === "blue" ? "green" : "blue");
    const after = await t.driver.targets();
    expect(after.pid).toBe(before.pid);
    expect(after.live).not.toBe(before.live);
  });

  it("8 switches under wrk with 16 keep-alive connections reset no connection and answer every request 2xx", async () => {
    await t.driver.switchLive("blue");
    const load = wrk(`${t.stack.liveUrl}/`, 8, 16);
    await new Promise((r) => setTimeout(r, 800));
    let color: "blue" | "green" = "blue";
    for (let i = 0; i < 8; i++) {
      color = color === "blue" ? "green" : "blue";
      await t.driver.switchLive(color);
      expect(await t.driver.liveTarget()).toBe(color);
      await new Promise((r) => setTimeout(r, 500));
    }
    const result = await load;
    // The switches really happened while wrk ran: the last one is in force.
    expect(await colorsSeen(t.stack.liveUrl)).toEqual(Array(5).fill(color));
    expect(result.requests).toBeGreaterThan(100);
    expect(result.socketErrors).toBe(0);
    expect(result.non2xx).toBe(0);
  }, 90_000);
});
