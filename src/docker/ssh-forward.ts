/**
 * ssh:// Docker endpoints, the way the docker CLI reaches them: each connection is one
 * `ssh … -- HOST docker system dial-stdio` process, whose stdin/stdout is the remote daemon's socket.
 * The system ssh is used (not a JS ssh client) so the operator's ~/.ssh/config, agent, known_hosts
 * and ControlMaster settings apply exactly as they do to `docker -H ssh://…`.
 *
 * Every consumer of an endpoint (the Engine API calls over node:http, dockerode for streams and
 * exec, the docker CLI for `stack deploy`) already speaks unix sockets, so an ssh endpoint becomes a
 * local unix socket in a private directory (mode 0700) that this process serves for as long as it
 * runs: one way in for all three, and nobody else on the host can borrow the operator's ssh keys
 * through it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
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

/**
 * Pure: the argv of one connection, as the docker CLI builds it (cli/connhelper/ssh), with an
 * optional ssh_config file (`swarm.sshConfig`). BatchMode: a password prompt would hang a
 * terminal-less run, and bluegreen's own prompts share the terminal.
 */
export function sshDialArgs(target: SshTarget, sshConfig?: string): string[] {
  return [
    ...(sshConfig ? ["-F", sshConfig] : []),
    "-o",
    "ConnectTimeout=30",
    "-o",
    "BatchMode=yes",
    "-T",
    ...(target.user ? ["-l", target.user] : []),
    ...(target.port ? ["-p", String(target.port)] : []),
    "--",
    target.host,
    "docker",
    "system",
    "dial-stdio",
  ];
}

export interface SshForward {
  /** unix:///… of the local socket: give it to node:http, dockerode and `docker -H`. */
  readonly local: string;
  /** The last lines ssh wrote to stderr on a connection that failed, for the error an operator reads. */
  lastError(): string | null;
  /** Stops listening and removes the socket's directory. */
  close(): void;
}

const forwards = new Map<string, SshForward>();

/** The forward of an ssh:// endpoint, started on first use and served until this process ends. */
export function sshForward(endpoint: string, opts: { sshConfig?: string | undefined; sshBin?: string | undefined } = {}): SshForward {
  const key = `${endpoint}\0${opts.sshConfig ?? ""}`;
  const known = forwards.get(key);
  if (known) return known;
  const target = parseSshEndpoint(endpoint);
  if (!target) throw new Error(`${endpoint}: not an ssh endpoint; write ssh://[user@]host[:port]`);
  const dir = mkdtempSync(join(tmpdir(), "bluegreen-ssh-")); // mkdtemp: mode 0700
  const path = join(dir, "docker.sock");
  let lastError: string | null = null;
  const args = sshDialArgs(target, opts.sshConfig);
  const server: Server = createServer((client: Socket) => {
    const child = spawn(opts.sshBin ?? "ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
    // The forward never keeps this process alive: the consumer's end of the connection does, as a
    // direct socket would (a runtime-API session left open must not hold the CLI until it times out).
    for (const handle of [client, child, child.stdin, child.stdout, child.stderr]) (handle as { unref?: () => void }).unref?.();
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
      lastError = `could not run ${opts.sshBin ?? "ssh"}: ${err.message}`;
      client.destroy();
    });
    // close, not exit: stderr is read to its end by then, so the error names what ssh said.
    child.on("close", (code) => {
      if (!answered && code !== 0) lastError = stderr.trim().split("\n").slice(-3).join(" / ") || `ssh exited with ${code}`;
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
  });
  // listen() on a path binds synchronously: the socket exists when this returns.
  server.listen(path);
  server.unref();
  if (forwards.size === 0) process.once("exit", closeSshForwards);
  const forward: SshForward = {
    local: `unix://${path}`,
    lastError: () => lastError,
    close: () => {
      server.close();
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
