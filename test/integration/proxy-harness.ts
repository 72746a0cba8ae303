// Helpers of the proxy-*.test.ts integration tests (the tests they share are in proxy-driver-tests.ts):
// a demo stack's proxy config and container, a `docker exec` adapter for the nginx driver, and a
// bounded keep-alive load loop on 127.0.0.1 that counts socket errors while a driver switches.
import http from "node:http";
import type { Config } from "../../src/config/types.js";
import type { Color } from "../../src/domain/color.js";
import type { ProxyDriver } from "../../src/proxy/driver.js";
import type { DemoStack } from "../../testkit/demo-stack.js";
import WebSocket from "ws";

/** `docker exec` through the CLI (the engine uses the dockerode adapter instead). */
export { dockerCliExec } from "../../bench/docker-cli-exec.js";

export function proxyContainerOf(stack: DemoStack): () => Promise<string> {
  return async () => {
    const id = await stack.containerId("shared");
    if (!id) throw new Error(`no proxy container in project ${stack.projects.shared}`);
    return id;
  };
}

/** The proxy part of a Config for a demo stack (what the drivers read). */
export function proxyConfigOf(stack: DemoStack): Pick<Config, "proxy"> {
  return {
    proxy: {
      driver: stack.proxy,
      service: "proxy",
      runDir: stack.runDir,
      upstream: "app-{color}:3000",
      liveUrl: stack.liveUrl,
      previewUrl: stack.previewUrl,
    },
  };
}

export interface Answer {
  status: number;
  color: string | null;
}

/** One GET on a fresh connection. */
export function getOnce(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: 5000 }, (response) => {
      response.resume();
      response.on("end", () => {
        const color = response.headers["x-app-color"];
        resolve({ status: response.statusCode ?? 0, color: typeof color === "string" ? color : null });
      });
    });
    request.on("timeout", () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on("error", reject);
  });
}

/** Colors seen over `count` GETs on fresh connections. */
export async function colorsSeen(url: string, count = 5): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i += 1) seen.push((await getOnce(url)).color ?? "none");
  return seen;
}

export interface LoadResult {
  requests: number;
  /** The connection failed or was reset (ECONNRESET, socket hang up, …). */
  socketErrors: number;
  /** An HTTP answer that was not 2xx. */
  httpErrors: number;
  byColor: Record<string, number>;
  errorSamples: string[];
}

/**
 * `connections` keep-alive connections to url, each sending requests back to back until
 * `during()` has finished, `maxMs` has passed or `maxRequests` were sent (bounded in time and count).
 */
export async function keepAliveLoad<T>(
  url: string,
  options: { connections: number; maxMs: number; maxRequests: number },
  during: () => Promise<T>,
): Promise<{ load: LoadResult; value: T }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const load: LoadResult = { requests: 0, socketErrors: 0, httpErrors: 0, byColor: {}, errorSamples: [] };
  const deadline = Date.now() + options.maxMs;
  let stop = false;
  const one = () =>
    new Promise<void>((resolve) => {
      let settled = false;
      const fail = (error: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        load.socketErrors += 1;
        if (load.errorSamples.length < 5) load.errorSamples.push(error.code ?? error.message);
        resolve();
      };
      const request = http.get(url, { agent, timeout: 5000 }, (response) => {
        response.on("error", fail);
        response.on("aborted", () => fail(new Error("response aborted")));
        response.on("end", () => {
          if (settled) return;
          settled = true;
          const color = String(response.headers["x-app-color"] ?? "none");
          load.byColor[color] = (load.byColor[color] ?? 0) + 1;
          if ((response.statusCode ?? 0) >= 300) {
            load.httpErrors += 1;
            if (load.errorSamples.length < 5) load.errorSamples.push(`HTTP ${response.statusCode}`);
          }
          resolve();
        });
        response.on("close", () => fail(new Error("connection closed before the response ended")));
        response.resume();
      });
      request.on("timeout", () => request.destroy(new Error("request timed out")));
      request.on("error", fail);
    });
  const worker = async () => {
    while (!stop && Date.now() < deadline && load.requests < options.maxRequests) {
      load.requests += 1;
      await one();
    }
  };
  const workers = Array.from({ length: options.connections }, () => worker());
  try {
    const value = await during();
    return { load, value };
  } finally {
    stop = true;
    await Promise.all(workers);
    agent.destroy();
  }
}

/** Switches live `times` times (alternating), `gapMs` apart, returning each switch's duration in ms. */
export async function switchRepeatedly(driver: ProxyDriver, first: Color, times: number, gapMs: number): Promise<number[]> {
  const durations: number[] = [];
  let color = first;
  for (let i = 0; i < times; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    const started = performance.now();
    await driver.switchLive(color);
    durations.push(Math.round((performance.now() - started) * 10) / 10);
    color = color === "blue" ? "green" : "blue";
  }
  await new Promise((resolve) => setTimeout(resolve, gapMs));
  return durations;
}

/** Waits (bounded) until the driver's control channel answers, e.g. after a proxy restart. */
export async function waitForPing(driver: ProxyDriver, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const ping = await driver.ping();
    if (ping.ok) return;
    last = ping.detail;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${driver.name} control channel did not answer within ${timeoutMs} ms: ${last}`);
}

/** Polls GETs on fresh connections until `count` answers in a row come from `color` (bounded). */
export async function waitForTraffic(url: string, color: Color, timeoutMs = 10_000, count = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let inARow = 0;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const answer = await getOnce(url);
      last = `${answer.status} from ${answer.color ?? "?"}`;
      inARow = answer.status === 200 && answer.color === color ? inARow + 1 : 0;
      if (inARow >= count) return;
    } catch (error) {
      last = (error as Error).message;
      inARow = 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer from ${color} ${count} times in a row within ${timeoutMs} ms (last: ${last})`);
}

/** Prints a figure line the report can quote (vitest shows console output per test). */
export function reportFigures(proxy: string, figures: Record<string, unknown>): void {
  console.log(`[proxy-figures] ${proxy} ${JSON.stringify(figures)}`);
}

export interface WsProbe {
  /** Color from the app's hello message, once it arrived. */
  color(): string | null;
  ticks(): number;
  /** Close code, or null while open. */
  closeCode(): number | null;
  close(): void;
}

/** Opens a WebSocket to baseUrl/ws (127.0.0.1) and waits (bounded) for the app's hello. */
export async function openWs(baseUrl: string, timeoutMs = 5000): Promise<WsProbe> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/ws`);
  let color: string | null = null;
  let ticks = 0;
  let closeCode: number | null = null;
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { type: string; color?: string };
    if (message.type === "hello") color = message.color ?? null;
    if (message.type === "tick") ticks += 1;
  });
  socket.on("close", (code) => {
    closeCode = code;
  });
  socket.on("error", () => undefined);
  const deadline = Date.now() + timeoutMs;
  while (color === null && closeCode === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (color === null) {
    socket.terminate();
    throw new Error(`no hello on ${baseUrl}/ws within ${timeoutMs} ms (close code ${String(closeCode)})`);
  }
  return {
    color: () => color,
    ticks: () => ticks,
    closeCode: () => closeCode,
    close: () => socket.terminate(),
  };
}

/** What happened to a WebSocket open on the live route while the driver switched live once. */
export async function webSocketAcrossSwitch(
  driver: ProxyDriver,
  liveUrl: string,
  to: Color,
): Promise<{ before: string | null; openAfter: boolean; ticksAfterSwitch: number; closeCode: number | null; newColor: string | null }> {
  const probe = await openWs(liveUrl);
  try {
    await driver.switchLive(to);
    const ticksAtSwitch = probe.ticks();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const fresh = await openWs(liveUrl);
    fresh.close();
    return {
      before: probe.color(),
      openAfter: probe.closeCode() === null,
      ticksAfterSwitch: probe.ticks() - ticksAtSwitch,
      closeCode: probe.closeCode(),
      newColor: fresh.color(),
    };
  } finally {
    probe.close();
  }
}
