/**
 * ssh:// Docker endpoints. The system ssh is used (not a JS ssh client), so the operator's
 * ~/.ssh/config (or swarm.sshConfig), agent and known_hosts apply as they do to `docker -H ssh://…`.
 * One login per endpoint (a master, see sshForward); through it, the far side's docker socket,
 * found as the docker CLI's `docker system dial-stdio` finds it, or dial-stdio itself per connection.
 *
 * Every consumer of an endpoint (the Engine API calls over node:http, dockerode for streams and
 * exec, the docker CLI for `stack deploy`) already speaks unix sockets, so an ssh endpoint becomes a
 * local unix socket in a private directory (mode 0700) that this process serves for as long as it
 * runs: one way in for all three, and nobody else on the host can borrow the operator's ssh keys
 * through it.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SshTarget {
  user: string | null;
  host: string;
  port: number | null;
}

/** Pure: user, host and port of ssh://[user@]host[:port]; null when it is not one (a path is not allowed, as in the docker CLI). */
export function parseSshEndpoint(endpoint: string): SshTarget | null {
  if (!endpoint.startsWith("ssh://")) return null;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return null;
  }
  if (!url.hostname || (url.pathname !== "" && url.pathname !== "/") || url.search || url.hash || url.password) return null;
  return { user: url.username ? decodeURIComponent(url.username) : null, host: url.hostname, port: url.port ? Number(url.port) : null };
}

/** How long an idle master outlives its last connection: the backstop if this process is killed before it can end it. */
const MASTER_PERSIST_S = 30;

/** Pure: the options every ssh of one endpoint shares (an ssh_config file, no prompt, a bounded connect, the target). */
function commonArgs(target: SshTarget, sshConfig: string | undefined): string[] {
  return [
    ...(sshConfig ? ["-F", sshConfig] : []),
    "-o",
    "ConnectTimeout=30",
    // BatchMode: a password prompt would hang a terminal-less run, and bluegreen's own prompts share the terminal.
    "-o",
    "BatchMode=yes",
    ...(target.user ? ["-l", target.user] : []),
    ...(target.port ? ["-p", String(target.port)] : []),
  ];
}

/**
 * Pure: the argv of the one connection that logs in (the master): it goes to the background once
 * authenticated (-f, no command: -N), so its exit code says whether the login worked; a dead peer is
 * noticed within 15 s; an idle master ends by itself after MASTER_PERSIST_S.
 */
export function sshMasterArgs(target: SshTarget, controlPath: string, sshConfig?: string): string[] {
  return [
    ...commonArgs(target, sshConfig),
    ...["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"],
    ...["-o", "ControlMaster=yes", "-o", `ControlPath=${controlPath}`, "-o", `ControlPersist=${MASTER_PERSIST_S}`, "-o", "StreamLocalBindUnlink=yes"],
    "-N",
    "-f",
    "--",
    target.host,
  ];
}

/** Pure: the argv of one command on the far side, over the master when there is one (no login of its own). */
export function sshCommandArgs(target: SshTarget, command: string[], opts: { sshConfig?: string | undefined; controlPath?: string | undefined } = {}): string[] {
  return [
    ...commonArgs(target, opts.sshConfig),
    ...(opts.controlPath ? ["-o", "ControlMaster=no", "-o", `ControlPath=${opts.controlPath}`] : []),
    "-T",
    "--",
    target.host,
    ...command,
  ];
}

/**
 * Pure: the argv of one connection, as the docker CLI builds it (cli/connhelper/ssh): `docker system
 * dial-stdio` on the far side (which needs the docker CLI there, and starts it per connection).
 */
export function sshDialArgs(target: SshTarget, opts: { sshConfig?: string | undefined; controlPath?: string | undefined } = {}): string[] {
  return sshCommandArgs(target, ["docker", "system", "dial-stdio"], opts);
}

/**
 * The far side's daemon as dial-stdio would find it: its DOCKER_HOST, else the default socket (one
 * argument: ssh hands it to the remote shell as written).
 */
export const REMOTE_DOCKER_HOST = ['printf %s "${DOCKER_HOST:-unix:///var/run/docker.sock}"'];

/** Pure: the remote socket path of what REMOTE_DOCKER_HOST printed, or null when it is not a unix socket. */
export function remoteSocketPath(printed: string): string | null {
  const m = /^unix:\/\/(\/[^\s]+)$/.exec(printed.trim());
  return m ? (m[1] as string) : null;
}

/** Pure: the argv that asks the master to serve `remote` (a unix socket on the far side) at `local`. */
export function sshStreamForwardArgs(target: SshTarget, controlPath: string, local: string, remote: string, sshConfig?: string): string[] {
  return [...commonArgs(target, sshConfig), "-o", `ControlPath=${controlPath}`, "-O", "forward", "-L", `${local}:${remote}`, "--", target.host];
}

export interface SshForward {
  /** unix:///… of the local socket: give it to node:http, dockerode and `docker -H`. */
  readonly local: string;
  /** The last lines ssh wrote to stderr on a connection that failed, for the error an operator reads. */
  lastError(): string | null;
  /** Ends the master, stops listening and removes the socket's directory. */
  close(): void;
}

const forwards = new Map<string, SshForward>();

/** Whether a Docker daemon answers /_ping through this socket within 10 s. */
function pingsThrough(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.unref();
    let answer = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(10_000, () => done(false));
    socket.on("connect", () => socket.write("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"));
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("latin1");
      if (/^HTTP\/1\.[01] 200/.test(answer)) done(true);
    });
    socket.on("error", () => done(false));
    socket.on("close", () => done(/^HTTP\/1\.[01] 200/.test(answer)));
  });
}

/** The last lines of what ssh wrote to stderr, on one line. */
const lastLines = (text: string): string => text.trim().split("\n").slice(-3).join(" / ");

/**
 * The forward of an ssh:// endpoint, started on first use and served until this process ends.
 * Connections share one login: the first starts a master (ControlMaster, in the forward's private
 * directory) and waits for it; the others queue behind that login instead of each doing their own,
 * which in a `status` of four parallel reads was 4 x 0.35 s of handshakes on the same two cores.
 * After the login, the master forwards the far side's docker socket (found as dial-stdio finds it)
 * to a socket in the directory, so a connection is one ssh channel (~15 ms in the lab) instead of
 * one ssh process here and one docker process there (~0.1 s); where that cannot be done (DOCKER_HOST
 * there is not a unix socket, the sshd forbids forwarding), each connection runs dial-stdio.
 */
export function sshForward(endpoint: string, opts: { sshConfig?: string | undefined; sshBin?: string | undefined } = {}): SshForward {
  const key = `${endpoint}\0${opts.sshConfig ?? ""}`;
  const known = forwards.get(key);
  if (known) return known;
  const target = parseSshEndpoint(endpoint);
  if (!target) throw new Error(`${endpoint}: not an ssh endpoint; write ssh://[user@]host[:port]`);
  const ssh = opts.sshBin ?? "ssh";
  const dir = mkdtempSync(join(tmpdir(), "bluegreen-ssh-")); // mkdtemp: mode 0700
  const path = join(dir, "docker.sock");
  const controlPath = join(dir, "master");
  let lastError: string | null = null;

  // The login in progress, or null. Connections that arrive during one wait for it; once it is done,
  // the master's socket says whether there is one (it is gone when the login failed or the master ended
  // after MASTER_PERSIST_S idle), and a connection that finds none starts the next login.
  let pending: Promise<boolean> | null = null;
  const loggedIn = (): Promise<boolean> => {
    if (pending) return pending;
    if (existsSync(controlPath)) return Promise.resolve(true);
    const attempt = startLogin();
    pending = attempt;
    void attempt.then(() => {
      pending = null;
    });
    return attempt;
  };
  const startLogin = (): Promise<boolean> =>
    new Promise((resolve) => {
      const log = join(dir, "master.log");
      const fd = openSync(log, "w");
      // The backgrounded master keeps stderr open: a file, so nothing here waits for it to close.
      const master = spawn(ssh, sshMasterArgs(target, controlPath, opts.sshConfig), { stdio: ["ignore", "ignore", fd] });
      closeSync(fd);
      master.unref();
      master.on("error", (err) => {
        lastError = `could not run ${ssh}: ${err.message}`;
        resolve(false);
      });
      master.on("exit", (code) => {
        const said = lastLines(readFileSync(log, "utf8"));
        if (code !== 0) {
          lastError = said || `ssh exited with ${code}`;
          return resolve(false);
        }
        lastError = null;
        void forwardSocket().then((ok) => {
          streamed = ok;
          resolve(true);
        });
      });
    });

  // Whether connections go through the master's forward of the far side's socket (else dial-stdio).
  let streamed = false;
  const streamPath = join(dir, "remote.sock");
  const forwardSocket = async (): Promise<boolean> => {
    const printed = await run(sshCommandArgs(target, REMOTE_DOCKER_HOST, { sshConfig: opts.sshConfig, controlPath }));
    const remote = printed.code === 0 ? remoteSocketPath(printed.stdout) : null;
    if (!remote) return false;
    if ((await run(sshStreamForwardArgs(target, controlPath, streamPath, remote, opts.sshConfig))).code !== 0) return false;
    // The far side's sshd refuses a forward per connection (AllowStreamLocalForwarding, DisableForwarding),
    // not when it is set up: one ping through it says whether to use it.
    return pingsThrough(streamPath);
  };
  const run = (args: string[]): Promise<{ code: number | null; stdout: string }> =>
    new Promise((resolve) => {
      const child = spawn(ssh, args, { stdio: ["ignore", "pipe", "ignore"] });
      child.unref();
      let stdout = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
      const timer = setTimeout(() => child.kill("SIGTERM"), 10_000);
      timer.unref();
      child.on("error", () => resolve({ code: null, stdout }));
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout });
      });
    });

  // allowHalfOpen: a docker CLI exec closes its write side when its stdin ends and still reads the
  // output; without it, that half-close would end our side too and the output would be lost.
  const server: Server = createServer({ allowHalfOpen: true }, (client: Socket) => {
    client.unref();
    client.on("error", () => undefined);
    void loggedIn().then((ok) => {
      // No login, no connection: the request fails at once with what ssh said, not after a second timeout.
      if (!ok || client.destroyed) return void client.destroy();
      if (streamed) stream(client);
      else dial(client);
    });
  });

  const stream = (client: Socket): void => {
    const remote = connect({ path: streamPath, allowHalfOpen: true });
    remote.unref();
    remote.pipe(client);
    client.pipe(remote);
    remote.on("error", (err) => {
      lastError = `the ssh master's forward of the far side's docker socket failed: ${err.message}`;
      client.destroy();
    });
    client.on("close", () => remote.destroy());
  };

  const dial = (client: Socket): void => {
    const child = spawn(ssh, sshDialArgs(target, { sshConfig: opts.sshConfig, controlPath }), { stdio: ["pipe", "pipe", "pipe"] });
    // The forward never keeps this process alive: the consumer's end of the connection does, as a
    // direct socket would (a runtime-API session left open must not hold the CLI until it times out).
    for (const handle of [child, child.stdin, child.stdout, child.stderr]) (handle as { unref?: () => void }).unref?.();
    let stderr = "";
    let answered = false;
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-2000);
    });
    child.stdout.once("data", () => {
      answered = true;
    });
    child.stdout.pipe(client, { end: false }); // ended on close, once stderr is read
    client.pipe(child.stdin);
    child.on("error", (err) => {
      lastError = `could not run ${ssh}: ${err.message}`;
      client.destroy();
    });
    // close, not exit: stderr is read to its end by then, so the error names what ssh said.
    child.on("close", (code) => {
      if (!answered && code !== 0) lastError = lastLines(stderr) || `ssh exited with ${code}`;
      else if (answered) lastError = null;
      client.end();
    });
    // A client that goes away must not leave its ssh behind; stdin's end lets ssh finish first.
    client.on("close", () => {
      child.stdin.end();
      setTimeout(() => child.exitCode === null && child.kill("SIGTERM"), 2_000).unref();
    });
    client.on("error", () => child.kill("SIGTERM"));
    child.stdin.on("error", () => undefined); // ssh gone: its close event ends the client
  };

  // listen() on a path binds synchronously: the socket exists when this returns.
  server.listen(path);
  server.unref();
  if (forwards.size === 0) process.once("exit", closeSshForwards);
  const forward: SshForward = {
    local: `unix://${path}`,
    lastError: () => lastError,
    close: () => {
      server.close();
      // The master would end MASTER_PERSIST_S after its last connection; ending it now leaves nothing behind.
      if (existsSync(controlPath)) spawnSync(ssh, [...commonArgs(target, opts.sshConfig), "-o", `ControlPath=${controlPath}`, "-O", "exit", "--", target.host], { stdio: "ignore", timeout: 2_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  forwards.set(key, forward);
  return forward;
}

/** Stops every forward and removes its directory; runs at process exit (and after tests). */
export function closeSshForwards(): void {
  for (const forward of forwards.values()) forward.close();
  forwards.clear();
}
