// The demo app on real Docker behind the nginx proxy: SIGTERM drain, and the APP_FAILURE knobs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DemoStack, getHealth, run, sleep, startDemoStack, waitForColor } from "../../testkit/demo-stack.js";

const DRAIN_MS = 2000;

interface SlowResult {
  status: number;
  color: string | null;
  error?: string;
}

async function slowRequest(baseUrl: string, ms: number): Promise<SlowResult> {
  try {
    const res = await fetch(`${baseUrl}/api/slow?ms=${ms}`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return { status: res.status, color: res.headers.get("x-app-color") };
  } catch (err) {
    return { status: 0, color: null, error: (err as Error).message };
  }
}

function wsCloseCode(url: string): { opened: Promise<void>; closed: Promise<number> } {
  const ws = new WebSocket(url);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  return { opened, closed };
}

async function containerState(id: string): Promise<{ status: string; exitCode: number; health: string }> {
  const { stdout } = await run("docker", [
    "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", id,
  ]);
  const [status = "", exitCode = "-1", health = ""] = stdout.trim().split(" ");
  return { status, exitCode: Number(exitCode), health };
}

async function waitForState(id: string, done: (s: Awaited<ReturnType<typeof containerState>>) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let state = await containerState(id);
  while (!done(state) && Date.now() < deadline) {
    await sleep(200);
    state = await containerState(id);
  }
  return state;
}

describe("the demo app", () => {
  let stack: DemoStack | undefined;
  const s = () => {
    if (!stack) throw new Error("the demo stack did not start (see beforeAll)");
    return stack;
  };

  beforeAll(async () => {
    stack = await startDemoStack({
      name: "bgt-h1-drain",
      proxy: "nginx",
      proxyPort: 18150,
      previewPort: 18151,
      drainMs: DRAIN_MS,
      colors: { blue: { version: "v1" } },
    });
    await waitForColor(stack.liveUrl, "blue", 20_000);
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it("drains on SIGTERM: in-flight requests complete, /health says draining, WebSockets close 1001, exit 0", async () => {
    const id = await s().containerId("blue");
    expect(id).toBeTruthy();
    const ws = wsCloseCode(`${s().liveUrl.replace("http", "ws")}/ws`);
    await ws.opened;

    const inFlight = Array.from({ length: 5 }, () => slowRequest(s().liveUrl, 800));
    await sleep(200); // let them reach the app
    const stopped = run("docker", ["stop", "-t", "40", id!]);
    const t0 = Date.now();
    await sleep(300);

    const duringDrain = await getHealth(s().liveUrl);
    expect(duringDrain.status).toBe(503);
    expect(duringDrain.body).toMatchObject({ status: "draining", color: "blue" });
    // Started during the drain window and still running when the listener closes (at DRAIN_MS):
    // new requests are served during the window, and in-flight ones outlive the close.
    await sleep(Math.max(0, t0 + DRAIN_MS / 2 - Date.now()));
    const lateRequest = slowRequest(s().liveUrl, DRAIN_MS);

    const results = await Promise.all(inFlight);
    expect(results).toEqual(Array.from({ length: 5 }, () => ({ status: 200, color: "blue" })));
    expect(await lateRequest).toEqual({ status: 200, color: "blue" });
    expect(await ws.closed).toBe(1001);

    await stopped;
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(DRAIN_MS * 1.4); // it waited for the late request
    expect(elapsed).toBeLessThan(2 * DRAIN_MS + 2000);
    const state = await containerState(id!);
    expect(state).toMatchObject({ status: "exited", exitCode: 0 });
    const logs = await s().logs("blue", 5);
    expect(logs).toMatch(/"event":"drained".*"unfinished":0/);
  });

  it("APP_FAILURE=error-rate:1 answers 500 to every non-health request while /health stays 200", async () => {
    await s().upColor("green", { version: "v2", failure: "error-rate:1" });
    await waitForColor(s().previewUrl, "green", 15_000);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${s().previewUrl}/`, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      expect(res.status).toBe(500);
    }
  });

  it("APP_FAILURE=unhealthy keeps /health at 503 and Docker marks the container unhealthy", async () => {
    await s().upColor("green", { version: "v2", failure: "unhealthy" }, { waitHealthy: false });
    const id = (await s().containerId("green"))!;
    const state = await waitForState(id, (st) => st.health === "unhealthy", 20_000);
    expect(state.health).toBe("unhealthy");
    const health = await getHealth(s().previewUrl);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: "unhealthy", color: "green" });
  });

  it("APP_FAILURE=slow-start:3 answers 503 starting first, then becomes healthy", async () => {
    await s().upColor("green", { version: "v2", failure: "slow-start:3" }, { waitHealthy: false });
    const early = await waitForStatus(s().previewUrl, 503, 10_000);
    expect(early.body).toMatchObject({ status: "starting" });
    const healthy = await waitForColor(s().previewUrl, "green", 15_000);
    expect(healthy.body).toMatchObject({ status: "healthy" });
  });

  it("APP_FAILURE=crash-after:1 exits with code 1 about a second after it became healthy", async () => {
    await s().upColor("green", { version: "v2", failure: "crash-after:1" }, { waitHealthy: false });
    const id = (await s().containerId("green"))!;
    const state = await waitForState(id, (st) => st.status === "exited", 20_000);
    expect(state).toMatchObject({ status: "exited", exitCode: 1 });
    expect(await s().logs("green", 5)).toContain('"event":"crash"');
  });
});

async function waitForStatus(baseUrl: string, status: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    const h = await getHealth(baseUrl).catch((err: Error) => {
      last = err.message;
      return null;
    });
    // 503 from the app (not from the proxy) carries X-App-Color.
    if (h && h.status === status && h.color) return h;
    if (h) last = `${h.status} ${JSON.stringify(h.body)}`;
    await sleep(100);
  }
  throw new Error(`${baseUrl}/health did not answer ${status} from the app within ${timeoutMs} ms (last: ${last})`);
}
