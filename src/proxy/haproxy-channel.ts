import { join } from "node:path";
import type { ExecResult } from "../docker/types.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { haproxyCommand } from "./haproxy-socket.js";

/**
 * How the HAProxy driver reaches one HAProxy: its runtime API, and where the server states are
 * saved so that a restarted HAProxy loads the same routing.
 */
export interface HaproxyChannel {
  /** Where the runtime API is, for messages ("/srv/shop/.bluegreen/run/haproxy-admin.sock"). */
  readonly where: string;
  /** Where the server states are saved, for messages. */
  readonly stateWhere: string;
  /** One runtime-API command and its whole answer. */
  command(command: string): Promise<string>;
  /** Replaces the saved server states with `text` in one step. */
  saveState(text: string): Promise<void>;
  /** What to check when the channel does not answer. */
  readonly hint: string;
}

/** The runtime API on `<runDir>/haproxy-admin.sock`, bind-mounted from the proxy container (one host). */
export function socketChannel(runDir: string): HaproxyChannel {
  const socket = join(runDir, "haproxy-admin.sock");
  const stateFile = join(runDir, "haproxy", "server-state");
  return {
    where: socket,
    stateWhere: stateFile,
    command: (command) => haproxyCommand(socket, command),
    saveState: (text) => writeFileAtomic(stateFile, text, { createDir: true }),
    hint: "Check that the proxy container is running and that proxy.runDir is the directory mounted at /run/bluegreen in it.",
  };
}

/** The part of a Docker endpoint an exec channel needs. */
export interface ContainerExec {
  exec(idOrName: string, argv: string[]): Promise<ExecResult>;
}

/** Where the runtime API listens inside a replica's own network namespace (fixtures/swarm/haproxy.cfg). */
export const REPLICA_RUNTIME_API = { host: "127.0.0.1", port: 9999 };
/** The replica's saved server states, on its node-local /run/bluegreen volume. */
export const REPLICA_STATE_FILE = "/run/bluegreen/haproxy/server-state";

/**
 * The runtime API of a proxy replica on another node, through that node's Docker API: an exec of
 * busybox `nc` to 127.0.0.1:9999 inside the replica (nothing outside its container can reach it).
 * The command goes in as an argument of `sh -c`, never spliced into the script.
 */
export function execChannel(docker: ContainerExec, container: string, label: string): HaproxyChannel {
  const { host, port } = REPLICA_RUNTIME_API;
  const run = async (argv: string[], what: string): Promise<string> => {
    const res = await docker.exec(container, argv);
    if (res.exitCode !== 0) throw new Error(`${what} exited ${res.exitCode}${res.stderr.trim() ? `: ${res.stderr.trim().split("\n").slice(-2).join(" ")}` : ""}`);
    return res.stdout;
  };
  return {
    where: `${label}: ${host}:${port} inside container ${container.slice(0, 12)}`,
    stateWhere: `${label}: ${REPLICA_STATE_FILE}`,
    command: (command) => run(["sh", "-c", `printf '%s\\n' "$1" | nc -w 2 ${host} ${port}`, "sh", command], `nc ${host} ${port}`),
    saveState: async (text) => {
      // A temp file and a rename in the same directory: a replica restarted mid-write loads the old or the new states, never half.
      await run(["sh", "-c", 'mkdir -p "${2%/*}" && printf \'%s\' "$1" > "$2.tmp" && mv -f "$2.tmp" "$2"', "sh", text, REPLICA_STATE_FILE], "saving the server states");
    },
    hint: `Check that the proxy replica on ${label} runs (docker service ps) and that its haproxy.cfg has "stats socket ipv4@${host}:${port} level admin".`,
  };
}
