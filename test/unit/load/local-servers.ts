import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { WebSocketServer, type WebSocket } from "ws";

/** A stand-in for the demo app on 127.0.0.1: GET / → 200 with X-App-Color, /ws → hello + ticks. */
export interface LocalApp {
  port: number;
  url: string;
  color: "blue" | "green";
  /** Per-socket request counts: how the behaviours below decide. */
  onRequest?: (req: http.IncomingMessage, res: http.ServerResponse, requestsOnSocket: number) => boolean;
  server: http.Server;
  wss: WebSocketServer;
  /** Next tick jumps seq by this many (simulates lost ticks); reset after use. */
  wsSeqJump: number;
  close(): Promise<void>;
  /** Stop accepting for `ms` (listener closed, connections dropped); returns the measured down window. */
  stopFor(ms: number): Promise<{ downAt: number; upAt: number }>;
}

export async function startLocalApp(port: number, color: "blue" | "green" = "blue"): Promise<LocalApp> {
  const perSocket = new WeakMap<Socket, number>();
  const sockets = new Set<Socket>();
  const app = {} as LocalApp;
  const server = http.createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (app.onRequest?.(req, res, n)) return;
    res.setHeader("X-App-Color", app.color);
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ color: app.color }));
  });
  server.keepAliveTimeout = 5000;
  let refusing = false;
  server.on("connection", (s) => {
    // A connection accepted just as the listener closed would keep server.close() waiting forever.
    if (refusing) {
      s.destroy();
      return;
    }
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ server, path: "/ws" });
  wss.on("connection", (ws: WebSocket) => {
    ws.send(JSON.stringify({ type: "hello", color: app.color, version: "v1" }));
    let seq = 0;
    const timer = setInterval(() => {
      seq += 1 + app.wsSeqJump;
      app.wsSeqJump = 0;
      ws.send(JSON.stringify({ type: "tick", seq }));
    }, 20);
    ws.on("close", () => clearInterval(timer));
  });
  const listen = () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  await listen();
  Object.assign(app, {
    port: (server.address() as AddressInfo).port,
    url: `http://127.0.0.1:${port}`,
    color,
    wsSeqJump: 0,
    server,
    wss,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async stopFor(ms: number) {
      refusing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      const downAt = performance.now();
      await closed;
      await new Promise((r) => setTimeout(r, Math.max(0, ms - (performance.now() - downAt))));
      refusing = false;
      await listen();
      return { downAt, upAt: performance.now() };
    },
  });
  return app;
}
