/**
 * An in-process stand-in for the demo app's HTTP/WS API (docs/CONTRACTS.md), on 127.0.0.1 with a
 * random port, whose misbehaviours the tests switch on one at a time.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";

export interface FakeAppState {
  version: string;
  color: string;
  healthStatus: number;
  redis: string;
  /** The first N /health requests answer 503 "starting". */
  failHealthTimes: number;
  healthDelayMs: number;
  omitVersionHeader: boolean;
  /** When false, POST /api/hits keeps returning the same number. */
  countHits: boolean;
  hits: number;
  ws: "ok" | "refuse" | "wrong-hello" | "no-echo" | "close-before-hello" | "not-json" | "silent";
  healthRequests: number;
  /** Every Nth GET / answers 500 (0: never), like a release with an error rate. */
  failRootEvery: number;
  rootRequests: number;
}

export interface FakeApp {
  url: string;
  state: FakeAppState;
  close(): Promise<void>;
}

export async function startFakeApp(initial: Partial<FakeAppState> = {}): Promise<FakeApp> {
  const state: FakeAppState = {
    version: "v1",
    color: "blue",
    healthStatus: 200,
    redis: "connected",
    failHealthTimes: 0,
    healthDelayMs: 0,
    omitVersionHeader: false,
    countHits: true,
    hits: 0,
    ws: "ok",
    healthRequests: 0,
    failRootEvery: 0,
    rootRequests: 0,
    ...initial,
  };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    const headers: Record<string, string> = { "content-type": "application/json", "x-app-color": state.color };
    if (!state.omitVersionHeader) headers["x-app-version"] = state.version;
    res.writeHead(status, headers);
    res.end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === "/health") {
      state.healthRequests += 1;
      const starting = state.healthRequests <= state.failHealthTimes;
      const answer = () =>
        send(res, starting ? 503 : state.healthStatus, {
          status: starting ? "starting" : state.healthStatus === 200 ? "healthy" : "unhealthy",
          version: state.version,
          color: state.color,
          checks: { redis: state.redis },
        });
      if (state.healthDelayMs > 0) setTimeout(answer, state.healthDelayMs);
      else answer();
      return;
    }
    if (req.url === "/" && req.method === "GET") {
      state.rootRequests += 1;
      if (state.failRootEvery > 0 && state.rootRequests % state.failRootEvery === 0) return send(res, 500, { error: "injected" });
      return send(res, 200, { color: state.color, version: state.version, hostname: "fake" });
    }
    if (req.url === "/api/hits" && req.method === "POST") {
      if (state.countHits) state.hits += 1;
      return send(res, 200, { hits: state.hits });
    }
    if (req.url === "/html") {
      res.writeHead(200, { "content-type": "text/html" });
      return void res.end(`<html>${"x".repeat(1000)}</html>`);
    }
    send(res, 404, { error: "not found" });
  };

  const server = createServer(handle);
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (req.url !== "/ws" || state.ws === "refuse") {
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nupgrades are refused here");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (state.ws === "close-before-hello") return ws.close(1001, "draining");
      if (state.ws === "silent") return;
      if (state.ws === "not-json") ws.send("hello there");
      else ws.send(JSON.stringify({ type: state.ws === "wrong-hello" ? "welcome" : "hello", color: state.color, version: state.version }));
      let seq = 0;
      const ticks = setInterval(() => ws.send(JSON.stringify({ type: "tick", seq: seq++ })), 20);
      ws.on("close", () => clearInterval(ticks));
      ws.on("message", (data) => {
        if (state.ws !== "no-echo") ws.send(JSON.stringify({ type: "echo", data: data.toString() }));
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
