import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect as connectNet, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { engineApi } from "../../../src/docker/engine-api.js";
import { closeSshForwards, parseSshEndpoint, remoteSocketPath, sshDialArgs, sshForward, sshMasterArgs, sshStreamForwardArgs } from "../../../src/docker/ssh-forward.js";
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

  it("dials as the docker CLI does (`docker system dial-stdio`, no prompt), over one master that logs in once", () => {
    const t = { user: "ops", host: "node2", port: 2222 };
    expect(sshDialArgs(t, { sshConfig: "/lab/ssh_config", controlPath: "/run/x/master" })).toEqual(["-F", "/lab/ssh_config", "-o", "ConnectTimeout=30", "-o", "BatchMode=yes", "-l", "ops", "-p", "2222", "-o", "ControlMaster=no", "-o", "ControlPath=/run/x/master", "-T", "--", "node2", "docker", "system", "dial-stdio"]);
    expect(sshDialArgs({ user: null, host: "node2", port: null })).toEqual(["-o", "ConnectTimeout=30", "-o", "BatchMode=yes", "-T", "--", "node2", "docker", "system", "dial-stdio"]);
    const master = sshMasterArgs(t, "/run/x/master");
    expect(master.slice(-4)).toEqual(["-N", "-f", "--", "node2"]);
    expect(master).toEqual(expect.arrayContaining(["ControlMaster=yes", "ControlPath=/run/x/master", "ControlPersist=30", "ServerAliveInterval=5", "BatchMode=yes"]));
  });

  // A stand-in for ssh: as a master (-N) it records a login and creates the control socket's path; with
  // -O exit it removes it; as a connection it joins its stdio to a local "daemon" socket, as dial-stdio
  // does on the far side. Every call's argv is logged. The real ssh and sshd are in the swarm lab's tests.
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
  const log = join(dir, "argv.log");
  const calls = (): string[][] => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]) : []);
  const working = fakeSsh(
    "fake-ssh",
    `const fs = require("fs"); const argv = process.argv.slice(2);
     fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(argv) + "\\n");
     const control = (argv.find((a) => a.startsWith("ControlPath=")) || "").slice("ControlPath=".length);
     if (argv.includes("-N")) { fs.writeFileSync(control, ""); process.exit(0); }
     if (argv.includes("-O")) { fs.rmSync(control, { force: true }); process.exit(0); }
     if (argv.some((a) => a.startsWith("printf"))) { process.stdout.write("tcp://10.0.0.9:2375"); process.exit(0); } // not a socket: dial-stdio
     const s = require("net").connect(${JSON.stringify(daemonSock)});
     process.stdin.pipe(s); s.pipe(process.stdout);
     s.on("close", () => process.exit(0));`,
  );

  it("carries Engine API requests through the dialer; parallel requests share one login", async () => {
    rmSync(log, { force: true });
    const forward = sshForward("ssh://ops@node2:2222", { sshBin: working });
    expect(forward.local).toMatch(/^unix:\/\/.*bluegreen-ssh-.*\/docker\.sock$/);
    const socketPath = forward.local.slice("unix://".length);
    const answers = await Promise.all(["/_ping", "/nodes", "/info"].map((p) => engineApi<{ path: string }>({ socketPath }, "GET", p)));
    expect(answers.map((a) => a.path)).toEqual(["/_ping", "/nodes", "/info"]);
    const masters = calls().filter((c) => c.includes("-N"));
    const dials = calls().filter((c) => c.includes("dial-stdio"));
    expect(masters).toHaveLength(1);
    expect(dials).toHaveLength(3);
    expect(dials[0]).toEqual(sshDialArgs({ user: "ops", host: "node2", port: 2222 }, { controlPath: join(dirname(socketPath), "master") }));
    // The same endpoint is one forward; a later request rides the same master.
    expect(sshForward("ssh://ops@node2:2222", { sshBin: working }).local).toBe(forward.local);
    await engineApi({ socketPath }, "GET", "/_ping");
    expect(calls().filter((c) => c.includes("-N"))).toHaveLength(1);
  });

  it("with a unix socket on the far side, the master forwards it and connections run no ssh of their own", async () => {
    const relayPid = join(dir, "relay.pid");
    // The master's forward, played by a detached relay from the local path to the "remote" socket.
    const relay = `const [from, to] = process.argv.slice(1); require("net").createServer((c) => { const r = require("net").connect(to); c.pipe(r); r.pipe(c); }).listen(from);`;
    const streaming = fakeSsh(
      "streaming-ssh",
      `const fs = require("fs"); const argv = process.argv.slice(2);
       fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(argv) + "\\n");
       const control = (argv.find((a) => a.startsWith("ControlPath=")) || "").slice("ControlPath=".length);
       if (argv.includes("-N")) { fs.writeFileSync(control, ""); process.exit(0); }
       if (argv.some((a) => a.startsWith("printf"))) { process.stdout.write("unix://${daemonSock}\\n"); process.exit(0); }
       if (argv.includes("forward")) {
         const [from, to] = argv[argv.indexOf("-L") + 1].split(":");
         const child = require("child_process").spawn(process.execPath, ["-e", ${JSON.stringify(relay)}, from, to], { detached: true, stdio: "ignore" });
         fs.writeFileSync(${JSON.stringify(relayPid)}, String(child.pid)); child.unref();
         setTimeout(() => process.exit(0), 300); // the relay listens by then
       } else if (argv.includes("exit")) { try { process.kill(Number(fs.readFileSync(${JSON.stringify(relayPid)}, "utf8"))); } catch {} fs.rmSync(control, { force: true }); process.exit(0); }
       else process.exit(99); // dial-stdio must not run`,
    );
    rmSync(log, { force: true });
    const forward = sshForward("ssh://ops@node5", { sshBin: streaming });
    const socketPath = forward.local.slice("unix://".length);
    const answers = await Promise.all(["/_ping", "/nodes", "/info"].map((p) => engineApi<{ path: string }>({ socketPath }, "GET", p)));
    expect(answers.map((a) => a.path)).toEqual(["/_ping", "/nodes", "/info"]);
    expect(calls().filter((c) => c.includes("dial-stdio"))).toEqual([]);
    expect(calls().find((c) => c.includes("forward"))).toEqual(sshStreamForwardArgs({ user: "ops", host: "node5", port: null }, join(dirname(socketPath), "master"), join(dirname(socketPath), "remote.sock"), daemonSock));
    forward.close();
  });

  it("reads the far side's socket as dial-stdio would: its DOCKER_HOST when that is a unix socket", () => {
    expect(remoteSocketPath("unix:///var/run/docker.sock")).toBe("/var/run/docker.sock");
    expect(remoteSocketPath("unix:///run/lab/node2.sock\n")).toBe("/run/lab/node2.sock");
    expect(remoteSocketPath("tcp://10.0.0.9:2375")).toBeNull();
    expect(remoteSocketPath("")).toBeNull();
  });

  it("keeps a half-closed connection's other half open: what the daemon sends after the client's EOF arrives (a docker exec whose stdin ended)", async () => {
    // A raw "daemon" that answers only once its client has stopped writing.
    const rawSock = join(dir, "raw.sock");
    const raw = createNetServer({ allowHalfOpen: true }, (c) => {
      let got = "";
      c.on("data", (d: Buffer) => (got += d.toString()));
      c.on("end", () => c.end(`got ${got}`));
    }).listen(rawSock);
    const bin = fakeSsh(
      "raw-ssh",
      `const fs = require("fs"); const argv = process.argv.slice(2);
       const control = (argv.find((a) => a.startsWith("ControlPath=")) || "").slice("ControlPath=".length);
       if (argv.includes("-N")) { fs.writeFileSync(control, ""); process.exit(0); }
       if (argv.includes("-O")) { fs.rmSync(control, { force: true }); process.exit(0); }
       if (argv.some((a) => a.startsWith("printf"))) process.exit(1);
       const s = require("net").connect({ path: ${JSON.stringify(rawSock)}, allowHalfOpen: true });
       process.stdin.pipe(s); s.pipe(process.stdout);
       s.on("close", () => process.exit(0));`,
    );
    const forward = sshForward("ssh://ops@node6", { sshBin: bin });
    const answer = await new Promise<string>((resolve, reject) => {
      const c = connectNet({ path: forward.local.slice("unix://".length), allowHalfOpen: true });
      let text = "";
      c.on("data", (d: Buffer) => (text += d.toString()));
      c.on("end", () => resolve(text));
      c.on("error", reject);
      c.end("show info");
    });
    expect(answer).toBe("got show info");
    forward.close();
    raw.close();
  });

  it("logs in again when the master has gone (idle past ControlPersist); close ends the master and removes the directory", async () => {
    rmSync(log, { force: true });
    const forward = sshForward("ssh://ops@node4", { sshBin: working });
    const socketPath = forward.local.slice("unix://".length);
    await engineApi({ socketPath }, "GET", "/_ping");
    rmSync(join(dirname(socketPath), "master")); // what a master that ended leaves
    await engineApi({ socketPath }, "GET", "/_ping");
    expect(calls().filter((c) => c.includes("-N"))).toHaveLength(2);
    forward.close();
    expect(calls().at(-1)).toEqual(expect.arrayContaining(["-O", "exit", "node4"]));
    expect(existsSync(dirname(socketPath))).toBe(false);
  });

  it("a refused login fails the waiting requests at once, and the error an operator reads quotes ssh", async () => {
    const bin = fakeSsh("refusing-ssh", `process.stderr.write("ops@node3: Permission denied (publickey).\\n"); process.exit(255);`);
    const forward = sshForward("ssh://ops@node3", { sshBin: bin });
    const socketPath = forward.local.slice("unix://".length);
    const errs = await Promise.all([1, 2].map(() => engineApi({ socketPath }, "GET", "/_ping").catch((e: unknown) => e)));
    for (const err of errs) expect((err as NodeJS.ErrnoException).code).toMatch(/ECONNRESET|EPIPE/);
    expect(forward.lastError()).toBe("ops@node3: Permission denied (publickey).");
    const message = String((unreachable("ssh://ops@node3", errs[0], forward.lastError()) as Error).message);
    expect(message).toMatch(/Docker is not reachable at ssh:\/\/ops@node3 \(.*ssh: ops@node3: Permission denied \(publickey\)\.\)\. Nothing was changed\. What to do: make `ssh ops@node3 docker system dial-stdio` work/);
  });
});
