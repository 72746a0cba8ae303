// The demo stack (compose.yml + one project per color) behind each proxy flavour, on real Docker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DemoProxy, type DemoStack, getHealth, startDemoStack, waitForColor } from "../../testkit/demo-stack.js";

const FLAVOURS: { proxy: DemoProxy; port: number }[] = [
  { proxy: "nginx", port: 18140 },
  { proxy: "caddy", port: 18142 },
  { proxy: "haproxy", port: 18144 },
];

interface WsMessage {
  type: string;
  color?: string;
  version?: string;
  seq?: number;
  data?: string;
}

/** Connects, sends one text message, collects messages for `ms`, then closes. */
function wsSession(url: string, ms: number): Promise<WsMessage[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: WsMessage[] = [];
    const timer = setTimeout(() => {
      ws.close();
      resolve(messages);
    }, ms);
    ws.on("open", () => ws.send("ping-from-test"));
    ws.on("message", (data) => messages.push(JSON.parse(String(data)) as WsMessage));
    ws.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function postHits(baseUrl: string): Promise<{ hits: number; color: string | null }> {
  const res = await fetch(`${baseUrl}/api/hits`, { method: "POST", signal: AbortSignal.timeout(3000) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { hits: number };
  return { hits: body.hits, color: res.headers.get("x-app-color") };
}

describe.each(FLAVOURS)("the demo stack behind $proxy", ({ proxy, port }) => {
  let stack: DemoStack | undefined;
  const s = () => {
    if (!stack) throw new Error("the demo stack did not start (see beforeAll)");
    return stack;
  };

  beforeAll(async () => {
    stack = await startDemoStack({
      name: `bgt-h1-${proxy}`,
      proxy,
      proxyPort: port,
      previewPort: port + 1,
      drainMs: 500,
      colors: { blue: { version: "v1" }, green: { version: "v2" } },
    });
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it("answers /health on the live route (127.0.0.1) with 200 from blue", async () => {
    const health = await waitForColor(s().liveUrl, "blue", 20_000);
    expect(health.status).toBe(200);
    expect(health.color).toBe("blue");
    expect(health.version).toBe("v1");
    expect(health.body).toMatchObject({ status: "healthy", color: "blue", version: "v1", checks: { redis: "connected" } });
  });

  it("answers the preview route from green once green runs", async () => {
    const health = await waitForColor(s().previewUrl, "green", 20_000);
    expect(health.version).toBe("v2");
    expect(health.body).toMatchObject({ status: "healthy", color: "green" });
    const res = await fetch(`${s().previewUrl}/`, { signal: AbortSignal.timeout(3000) });
    expect(await res.json()).toMatchObject({ color: "green", version: "v2" });
  });

  it("shares state through Redis: POST /api/hits counts across both colors", async () => {
    const first = await postHits(s().liveUrl);
    const second = await postHits(s().previewUrl);
    const third = await postHits(s().liveUrl);
    expect([first.color, second.color, third.color]).toEqual(["blue", "green", "blue"]);
    expect(second.hits).toBe(first.hits + 1);
    expect(third.hits).toBe(first.hits + 2);
  });

  it("carries WebSockets through the live route: hello from blue, ticks in order, echo", async () => {
    const messages = await wsSession(`${s().liveUrl.replace("http", "ws")}/ws`, 700);
    expect(messages[0]).toEqual({ type: "hello", color: "blue", version: "v1" });
    const seqs = messages.filter((m) => m.type === "tick").map((m) => m.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(3);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(messages).toContainEqual({ type: "echo", data: "ping-from-test" });
  });

  it("stops one color without touching the other color or the shared services", async () => {
    const before = {
      blue: await s().containerId("blue"),
      shared: await s().containerId("shared"),
    };
    await s().stopColor("green");
    const health = await getHealth(s().liveUrl);
    expect(health.status).toBe(200);
    expect(health.color).toBe("blue");
    expect(await s().containerId("blue")).toBe(before.blue);
    expect(await s().containerId("shared")).toBe(before.shared);
    const preview = await getHealth(s().previewUrl).catch(() => null);
    expect(preview?.status ?? 502).not.toBe(200);
  });
});
