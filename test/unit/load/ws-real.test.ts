import { afterEach, describe, expect, it } from "vitest";
import { startClock } from "../../../load/clock.js";
import { isCleanClose, startWsSessions, type WsSessions } from "../../../load/ws-sessions.js";
import { startLocalApp, type LocalApp } from "./local-servers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let app: LocalApp | null = null;
let sessions: WsSessions | null = null;
afterEach(async () => {
  await sessions?.stop();
  await app?.close();
  sessions = null;
  app = null;
});

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await sleep(10);
}

describe("WebSocket sessions against a real 127.0.0.1 server", () => {
  it("treats 1000/1001 as clean and anything else as abnormal", () => {
    expect(isCleanClose(1000)).toBe(true);
    expect(isCleanClose(1001)).toBe(true);
    expect(isCleanClose(1006)).toBe(false);
    expect(isCleanClose(1011)).toBe(false);
  });

  it("counts a 1001 close as clean, reconnects and records the color it landed on", async () => {
    app = await startLocalApp(18410, "blue");
    sessions = startWsSessions({ url: `ws://127.0.0.1:18410/ws`, sessions: 3, clock: startClock() });
    await sessions.ready;
    expect(sessions.alive()).toBe(3);
    app.color = "green";
    for (const client of app.wss.clients) client.close(1001, "draining");
    await until(() => sessions!.summary().reconnects === 3);
    const s = sessions.summary();
    expect(s).toMatchObject({ sessions: 3, cleanCloses: 3, abnormalCloses: 0, reconnects: 3, closeCodes: { "1001": 3 } });
    expect(s.colorsAfterReconnect).toEqual(["green", "green", "green"]);
    expect(s.maxReconnectMs).toBeGreaterThan(0);
    expect(s.maxReconnectMs).toBeLessThan(1000);
  });

  it("counts a destroyed TCP connection as an abnormal close", async () => {
    app = await startLocalApp(18411);
    sessions = startWsSessions({ url: `ws://127.0.0.1:18411/ws`, sessions: 2, clock: startClock() });
    await sessions.ready;
    for (const client of app.wss.clients) client.terminate();
    await until(() => sessions!.summary().reconnects === 2);
    expect(sessions.summary()).toMatchObject({ abnormalCloses: 2, cleanCloses: 0, reconnects: 2, closeCodes: { "1006": 2 } });
  });

  it("counts missing tick sequence numbers as gaps", async () => {
    app = await startLocalApp(18412);
    sessions = startWsSessions({ url: `ws://127.0.0.1:18412/ws`, sessions: 1, clock: startClock() });
    await sessions.ready;
    await sleep(60);
    app.wsSeqJump = 3;
    await until(() => sessions!.summary().tickGaps > 0);
    expect(sessions.summary().tickGaps).toBe(3);
  });

  it("opens short new sessions on a schedule and counts failed upgrades", async () => {
    app = await startLocalApp(18413);
    sessions = startWsSessions({ url: `ws://127.0.0.1:18413/ws`, sessions: 0, clock: startClock(), helloTimeoutMs: 500 });
    const stop = sessions.startNewSessions(50, 4);
    await sleep(300);
    await stop();
    expect(sessions.summary()).toMatchObject({ newSessionsOk: 4, newSessionsFailed: 0 });
    await app.close();
    app = null;
    const stop2 = sessions.startNewSessions(50, 2);
    await sleep(200);
    await stop2();
    expect(sessions.summary()).toMatchObject({ newSessionsOk: 4, newSessionsFailed: 2 });
  });

  it("gives up reconnecting after its bounded attempts", async () => {
    app = await startLocalApp(18414);
    sessions = startWsSessions({ url: `ws://127.0.0.1:18414/ws`, sessions: 1, clock: startClock(), maxReconnectAttempts: 3 });
    await sessions.ready;
    await app.close();
    app = null;
    await until(() => sessions!.summary().failedReconnects === 1);
    expect(sessions.summary()).toMatchObject({ failedReconnects: 1, reconnects: 0, abnormalCloses: 1 });
  });
});
