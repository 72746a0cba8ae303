/**
 * The proxies' admin sockets reroute live traffic, so only the run dir's owner may reach them. On
 * the real nginx, HAProxy and Caddy: after any bluegreen command, another (unprivileged) local user
 * cannot connect to the admin socket, and so cannot switch; the owner still switches.
 */
import { execFile } from "node:child_process";
import { chmod, lstat, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBluegreenStack, type BluegreenStack } from "../../testkit/bluegreen-stack.js";
import type { DemoProxy } from "../../testkit/demo-stack.js";
import { colorsSeen } from "./proxy-harness.js";

const execFileAsync = promisify(execFile);
const NOBODY = 65534;

/** Tries to connect to a unix socket as uid/gid 65534 with no supplementary groups; "connected" or the error code. */
async function connectAsNobody(socket: string): Promise<string> {
  const script = "require('net').connect(process.argv[1]).on('connect',()=>{process.stdout.write('connected');process.exit(0)}).on('error',(e)=>{process.stdout.write(String(e.code));process.exit(0)})";
  const { stdout } = await execFileAsync("setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", process.execPath, "-e", script, socket], { timeout: 10_000 });
  return stdout.trim();
}

describe("the test's other user really can reach a socket it is allowed to", () => {
  it("connects as nobody to a world-writable socket in a world-enterable directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bgt-e2-sock-control-"));
    const server = createServer();
    try {
      await chmod(dir, 0o755);
      const path = join(dir, "s.sock");
      await new Promise<void>((resolve) => server.listen(path, resolve));
      await chmod(path, 0o666);
      expect(await connectAsNobody(path)).toBe("connected");
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const DRIVERS: { proxy: DemoProxy; port: number }[] = [
  { proxy: "nginx", port: 18460 },
  { proxy: "haproxy", port: 18464 },
  { proxy: "caddy", port: 18468 },
];

for (const { proxy, port } of DRIVERS) {
  describe(`admin socket of the real ${proxy}`, () => {
    let stack: BluegreenStack | undefined;
    beforeAll(async () => {
      stack = await startBluegreenStack({ name: `bgt-e2-sock-${proxy}`, proxy, proxyPort: port, previewPort: port + 1, colors: { blue: { version: "v1" }, green: { version: "v1" } } });
    }, 300_000);
    afterAll(async () => {
      await stack?.destroy();
    });

    it("another local user cannot connect to it (so cannot switch) once bluegreen ran; the owner still switches", async () => {
      if (!stack) throw new Error("the stack did not start (see beforeAll)");
      const runDir = stack.demo.runDir;
      const socket = join(runDir, `${proxy}-admin.sock`);
      // The run dir as a default umask (022) leaves a directory someone made by hand, or Docker's bind mount.
      await chmod(runDir, 0o755);
      const status = await stack.cli(["status", "--json"]);
      expect(status.code, status.stderr).not.toBe(2);
      expect((await lstat(runDir)).mode & 0o7777).toBe(0o700);
      expect((await lstat(socket)).isSocket()).toBe(true);

      expect(await connectAsNobody(socket)).toBe("EACCES");

      const switched = await stack.cli(["switch", "--yes"]);
      expect(switched.code, `${switched.stdout}\n${switched.stderr}`).toBe(0);
      expect(new Set(await colorsSeen(stack.demo.liveUrl, 5))).toEqual(new Set(["green"]));
    }, 120_000);
  });
}
