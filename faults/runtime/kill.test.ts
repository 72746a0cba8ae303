import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { Color } from "../../src/domain/color.js";
import type { FaultStack } from "./fault-stack.js";
import { expectedConflicts, includeFileChanged, KILL_POINTS, liveRouteMoved, missedLanding, type Observed } from "./kill.js";

const seen = (o: Partial<Observed>): Observed => ({ running: { blue: true, green: false }, state: { active: "blue", warm: false }, live: "blue", ...o });

describe("kill scenarios: the conflicts expected from what the scenario saw itself", () => {
  it("a kill before anything moved leaves only the stale lock", () => {
    expect(expectedConflicts(seen({}))).toEqual(["stale-lock"]);
  });

  it("both colors running without a warm standby is both-running; a recorded warm standby is not", () => {
    expect(expectedConflicts(seen({ running: { blue: true, green: true } }))).toEqual(["stale-lock", "both-running"]);
    expect(expectedConflicts(seen({ running: { blue: true, green: true }, state: { active: "blue", warm: true } }))).toEqual(["stale-lock"]);
  });

  it("a live route that serves another color than the state file records is state-drift (and a warm standby then is no excuse)", () => {
    expect(expectedConflicts(seen({ running: { blue: true, green: true }, state: { active: "blue", warm: true }, live: "green" }))).toEqual(["stale-lock", "state-drift", "both-running"]);
  });

  it("no state file, or a live route that did not answer, expects no drift", () => {
    expect(expectedConflicts(seen({ state: null, live: "green" }))).toEqual(["stale-lock"]);
    expect(expectedConflicts(seen({ live: null }))).toEqual(["stale-lock"]);
  });
});

/** A live route on 127.0.0.1 whose /health answers from `color()` (X-Bluegreen-Color), as a FaultStack for liveRouteMoved. */
async function liveRoute(color: () => Color): Promise<{ stack: FaultStack; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "x-bluegreen-color": color() }).end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  const stack = { proxy: "haproxy", bg: { demo: { liveUrl: `http://127.0.0.1:${port}` } } } as unknown as FaultStack;
  return {
    stack,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe("kill -9 mid-switch: the kill must land inside the switch, or the scenario fails", () => {
  const midSwitch = KILL_POINTS.find((p) => p.label === "mid-switch");

  it("a landing never seen is a fault that did not happen; a landing seen is only a note", () => {
    expect(midSwitch?.landing).toBeDefined();
    const point = midSwitch as NonNullable<typeof midSwitch>;
    expect(missedLanding(point, { landed: false, note: "the live route did not move from blue within 10 s; killed then" })).toBe(
      "the fault did not happen: the kill did not land mid-switch (the live route did not move from blue within 10 s; killed then)",
    );
    expect(missedLanding(point, { landed: true, note: "killed 3 ms after the live route first answered from green" })).toBeNull();
  });

  it("HAProxy/Caddy: a live route that never leaves the old color is not landed; one that moves is", async () => {
    let color: Color = "blue";
    const route = await liveRoute(() => color);
    try {
      const stayed = await liveRouteMoved(route.stack, "blue", 300);
      expect(stayed.landed).toBe(false);
      expect(stayed.note).toMatch(/did not move from blue within 0.3 s/);
      setTimeout(() => (color = "green"), 100);
      const moved = await liveRouteMoved(route.stack, "blue", 5000);
      expect(moved.landed).toBe(true);
      expect(moved.note).toMatch(/answered from green/);
    } finally {
      await route.close();
    }
  });

  it("nginx: an include file that never changes is not landed; one that changes is", async () => {
    const unchanged = { proxy: "nginx", persistedLive: async () => "blue" } as unknown as FaultStack;
    const stayed = await includeFileChanged(unchanged, 200);
    expect(stayed).toEqual({ landed: false, note: "live.conf did not change within 0.2 s; killed then" });
    const t0 = Date.now();
    const changing = { proxy: "nginx", persistedLive: async () => (Date.now() - t0 > 50 ? "green" : "blue") } as unknown as FaultStack;
    const moved = await includeFileChanged(changing, 5000);
    expect(moved.landed).toBe(true);
    expect(moved.note).toMatch(/live.conf changed to green/);
  });
});
