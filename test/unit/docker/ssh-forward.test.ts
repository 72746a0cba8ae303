import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { engineApi } from "../../../src/docker/engine-api.js";
import { closeSshForwards, parseSshEndpoint, sshDialArgs, sshForward } from "../../../src/docker/ssh-forward.js";
import { unreachable } from "../../../src/platform/swarm/engine-client.js";

describe("ssh:// endpoints", () => {
  it("parses user, host and port; refuses a path, a password or a non-ssh URL", () => {
    expect(parseSshEndpoint("ssh://ops@node2:2222")).toEqual({ user: "ops", host: "node2", port: 2222 });
    expect(parseSshEndpoint("ssh://node2")).toEqual({ user: null, host: "node2", port: null });
    expect(parseSshEndpoint("ssh://node2/")).toEqual({ user: null, host: "node2", port: null });
    expect(parseSshEndpoint("ssh://ops@node2/var/run/docker.sock")).toBeNull();
    expect(parseSshEndpoint("ssh://ops:secret@node2")).toBeNull();
    expect(parseSshEndpoint("tcp://node2:2375")).toBeNull();
  });

  it("dials as the docker CLI does: one ssh running `docker system dial-stdio`, no prompt", () => {
    expect(sshDialArgs({ user: "ops", host: "node2", port: 2222 }, "/lab/ssh_config")).toEqual(["-F", "/lab/ssh_config", "-o", "ConnectTimeout=30", "-o", "BatchMode=yes", "-T", "-l", "ops", "-p", "2222", "--", "node2", "docker", "system", "dial-stdio"]);
    expect(sshDialArgs({ user: null, host: "node2", port: null })).toEqual(["-o", "ConnectTimeout=30", "-o", "BatchMode=yes", "-T", "--", "node2", "docker", "system", "dial-stdio"]);
  });

  // A stand-in for ssh: connects its stdio to a local "daemon" socket, as dial-stdio does on the far side,
  // and records its argv. The real ssh and sshd are in the swarm lab's test (test/integration/swarm-cli.test.ts).
  const dir = mkdtempSync(join(tmpdir(), "bg-ssh-test-"));
  const daemonSock = join(dir, "daemon.sock");
  const daemon = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ path: req.url, host: req.headers.host }));
  }).listen(daemonSock);
  afterAll(() => {
    daemon.close();
    closeSshForwards();
    rmSync(dir, { recursive: true, force: true });
  });
  const fakeSsh = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/usr/bin/env node\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  it("carries Engine API requests through the dialer, one process per connection", async () => {
    const log = join(dir, "argv.log");
    const bin = fakeSsh(
      "fake-ssh",
      `require("fs").appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + "\\n");
       const s = require("net").connect(${JSON.stringify(daemonSock)});
       process.stdin.pipe(s); s.pipe(process.stdout);
       s.on("close", () => process.exit(0));`,
    );
    const forward = sshForward("ssh://ops@node2:2222", { sshBin: bin });
    expect(forward.local).toMatch(/^unix:\/\/.*bluegreen-ssh-.*\/docker\.sock$/);
    const socketPath = forward.local.slice("unix://".length);
    const answers = await Promise.all([engineApi<{ path: string }>({ socketPath }, "GET", "/_ping"), engineApi<{ path: string }>({ socketPath }, "GET", "/nodes")]);
    expect(answers.map((a) => a.path)).toEqual(["/_ping", "/nodes"]);
    const { readFileSync } = await import("node:fs");
    const calls = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.slice(-6)).toEqual(["-p", "2222", "--", "node2", "docker", "system", "dial-stdio"].slice(-6));
    // The same endpoint is one forward.
    expect(sshForward("ssh://ops@node2:2222", { sshBin: bin }).local).toBe(forward.local);
  });

  it("a refused login fails the request, and the error an operator reads quotes ssh", async () => {
    const bin = fakeSsh("refusing-ssh", `process.stderr.write("ops@node3: Permission denied (publickey).\\n"); process.exit(255);`);
    const forward = sshForward("ssh://ops@node3", { sshBin: bin });
    const err = await engineApi({ socketPath: forward.local.slice("unix://".length) }, "GET", "/_ping").catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toMatch(/ECONNRESET|EPIPE/);
    expect(forward.lastError()).toBe("ops@node3: Permission denied (publickey).");
    const message = String((unreachable("ssh://ops@node3", err, forward.lastError()) as Error).message);
    expect(message).toMatch(/Docker is not reachable at ssh:\/\/ops@node3 \(.*ssh: ops@node3: Permission denied \(publickey\)\.\)\. Nothing was changed\. What to do: make `ssh ops@node3 docker system dial-stdio` work/);
  });
});
