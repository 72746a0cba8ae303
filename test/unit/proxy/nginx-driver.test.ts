import { createServer, type Server } from "node:http";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ExecResult } from "../../../src/docker/types.js";
import { ProxyChangeRejected } from "../../../src/proxy/driver.js";
import { ProxyControlError } from "../../../src/proxy/errors.js";
import { NginxDriver } from "../../../src/proxy/nginx.js";
import { parseNginxInclude } from "../../../src/proxy/nginx-include.js";

/**
 * A stand-in for the nginx container: an admin server on a unix socket that answers from the
 * "loaded" routing, and an exec that loads the include files on `nginx -s reload`.
 */
class FakeNginx {
  loaded = { live: "blue", preview: "green" };
  pid = 100;
  calls: string[] = [];
  testResult: ExecResult = { exitCode: 0, stdout: "", stderr: "syntax is ok" };
  /** What the in-container reload script answers instead of reloading (null: reload). */
  reloadResult: ExecResult | null = null;
  server: Server;

  constructor(private readonly runDir: string) {
    this.server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ...this.loaded, pid: this.pid }));
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(join(this.runDir, "nginx-admin.sock"), resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  exec = async (container: string, argv: string[]): Promise<ExecResult> => {
    this.calls.push(`${container}: ${argv.join(" ")}`);
    if (argv[1] === "-t") return this.testResult;
    if (argv[0] === "sh" && this.reloadResult) return this.reloadResult;
    // The reload script runs `nginx -t` first and stops with 65 when it fails.
    if (argv[0] === "sh" && this.testResult.exitCode !== 0) return { exitCode: 65, stdout: "", stderr: this.testResult.stderr };
    for (const route of ["live", "preview"] as const) {
      const text = await readFile(join(this.runDir, "nginx", `${route}.conf`), "utf8").catch(() => "");
      const parsed = parseNginxInclude(text);
      if (parsed) this.loaded[route] = parsed.color;
    }
    this.pid += 1;
    return { exitCode: 0, stdout: "", stderr: "" };
  };
}

describe("NginxDriver (fake nginx on a unix socket)", () => {
  let runDir: string;
  let nginx: FakeNginx;
  let driver: NginxDriver;

  beforeEach(async () => {
    runDir = await mkdtemp(join(tmpdir(), "bgt-h3-nginx-unit-"));
    nginx = new FakeNginx(runDir);
    await nginx.listen();
    const config = {
      proxy: { driver: "nginx" as const, service: "proxy", runDir, upstream: "app-{color}:3000", liveUrl: "", previewUrl: "" },
    };
    driver = new NginxDriver(config, { exec: nginx.exec }, async () => "proxy-1", { reloadTimeoutMs: 500 });
  });

  afterEach(async () => {
    await nginx.close();
    await rm(runDir, { recursive: true, force: true });
  });

  it("reads, writes the include file, tests, reloads and confirms", async () => {
    expect(await driver.liveTarget()).toBe("blue");
    await driver.switchLive("green");
    // One exec: a fixed script (argv, no input in it) that tests, reloads and waits out the old workers.
    expect(nginx.calls).toHaveLength(1);
    expect(nginx.calls[0]).toMatch(/^proxy-1: sh -c .*nginx -t.*nginx -s reload.* nginx-reload 50$/s);
    expect(await readFile(join(runDir, "nginx", "live.conf"), "utf8")).toContain("set $bg_color green; set $bg_upstream app-green:3000;");
    expect(await driver.liveTarget()).toBe("green");
  });

  it("does nothing when the color is already live and on disk", async () => {
    await driver.pointPreview("blue");
    nginx.calls = [];
    await driver.pointPreview("blue");
    expect(nginx.calls).toEqual([]);
  });

  it("restores the previous file and does not reload when nginx -t fails", async () => {
    await mkdir(join(runDir, "nginx"), { recursive: true });
    await writeFile(join(runDir, "nginx", "live.conf"), "set $bg_color blue; set $bg_upstream app-blue:3000;\n");
    nginx.testResult = { exitCode: 1, stdout: "", stderr: 'nginx: [emerg] unknown directive "oops"' };
    const error = await driver.switchLive("green").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyChangeRejected);
    expect((error as Error).message).toMatch(/unknown directive "oops".*Nothing was reloaded.*live still goes to blue/);
    expect(nginx.calls).toHaveLength(1);
    expect(nginx.loaded.live).toBe("blue");
    expect(await readFile(join(runDir, "nginx", "live.conf"), "utf8")).toBe("set $bg_color blue; set $bg_upstream app-blue:3000;\n");
  });

  it("removes a file that did not exist before a rejected change", async () => {
    nginx.testResult = { exitCode: 1, stdout: "", stderr: "nginx: [emerg] broken" };
    await expect(driver.pointPreview("blue")).rejects.toBeInstanceOf(ProxyChangeRejected);
    await expect(readFile(join(runDir, "nginx", "preview.conf"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("says so when the reloaded workers never report the change", async () => {
    const original = nginx.exec;
    driver = new NginxDriver(
      { proxy: { driver: "nginx", service: "proxy", runDir, upstream: "app-{color}:3000", liveUrl: "", previewUrl: "" } },
      { exec: async (c, argv) => (argv[0] === "sh" ? { exitCode: 0, stdout: "", stderr: "" } : original(c, argv)) },
      async () => "proxy-1",
      { reloadTimeoutMs: 200 },
    );
    const error = await driver.switchLive("green").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyControlError);
    expect((error as Error).message).toMatch(/still reports live=blue.*asks for green/);
  });

  it("refuses to call a change applied while old workers still accept connections", async () => {
    nginx.reloadResult = { exitCode: 75, stdout: "", stderr: "old nginx workers still accepting after the reload: 7 8" };
    const error = await driver.switchLive("green").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyControlError);
    expect((error as Error).message).toMatch(/still accepting connections .*7 8.*asks for green.*docker logs proxy-1/);
  });

  it("falls back to a plain reload plus the master's overlap when the image has no sh", async () => {
    nginx.reloadResult = { exitCode: 127, stdout: "", stderr: 'exec: "sh": executable file not found in $PATH' };
    const started = performance.now();
    await driver.switchLive("green");
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(nginx.calls.slice(-2)).toEqual(["proxy-1: nginx -t", "proxy-1: nginx -s reload"]);
    expect(await driver.liveTarget()).toBe("green");
  });

  it("reports an unreachable admin socket with what to check", async () => {
    await nginx.close();
    await rm(join(runDir, "nginx-admin.sock"), { force: true });
    const ping = await driver.ping();
    expect(ping.ok).toBe(false);
    expect(ping.detail).toMatch(/Cannot reach nginx's admin socket .*proxy.runDir/);
    await expect(driver.switchLive("green")).rejects.toBeInstanceOf(ProxyControlError);
    nginx.server = createServer();
    await nginx.listen();
  });
});
