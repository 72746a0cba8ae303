import { join } from "node:path";
import type { ExecResult, ExecSession } from "../docker/types.js";
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

/** The part of a Docker endpoint an exec channel needs (a session, where it can: one exec for many commands). */
export interface ContainerExec {
  exec(idOrName: string, argv: string[]): Promise<ExecResult>;
  execSession(idOrName: string, argv: string[]): Promise<ExecSession>;
}

/** What HAProxy prints after each answer in interactive mode ("prompt"). */
const PROMPT = "\n> ";

/**
 * Pure: the answers complete in `buffer` (interactive mode: each ends with PROMPT), and what is left.
 * An answer keeps its own text and final newline; a command with nothing to say answers "".
 */
export function splitAnswers(buffer: string): { answers: string[]; rest: string } {
  const answers: string[] = [];
  let rest = buffer;
  for (let at = rest.indexOf(PROMPT); at !== -1; at = rest.indexOf(PROMPT)) {
    answers.push(rest.slice(0, at));
    rest = rest.slice(at + PROMPT.length);
  }
  return { answers, rest };
}

/**
 * HAProxy's runtime API over one long-lived exec of `nc` in interactive mode: a command is a round
 * trip on an open stream (a few ms) instead of an exec each (60-90 ms on the lab's nodes). Commands
 * run one at a time. A session closed while idle (HAProxy's stats timeout) is reopened for the next
 * command; one that fails or times out during a command fails that command (it is not sent again:
 * a change may have been applied) and is replaced for the next. Idle, it does not keep the process alive.
 */
export function promptSession(open: () => Promise<ExecSession>, timeoutMs = 2000): { command(command: string): Promise<string>; close(): void } {
  type Live = { session: ExecSession; buffer: string; answers: string[]; wake: (() => void) | null; ended: Error | null };
  let live: Promise<Live> | null = null;
  let chain: Promise<unknown> = Promise.resolve();

  const next = (l: Live): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        l.wake = null;
        reject(err);
      };
      const check = () => {
        if (l.answers.length > 0) {
          clearTimeout(timer);
          l.wake = null;
          resolve(l.answers.shift() as string);
        } else if (l.ended) fail(l.ended);
      };
      l.wake = check;
      check();
    });

  const start = async (): Promise<Live> => {
    const session = await open();
    const l: Live = { session, buffer: "", answers: [], wake: null, ended: null };
    session.output.on("data", (chunk: Buffer | string) => {
      const { answers, rest } = splitAnswers(l.buffer + chunk.toString());
      l.buffer = rest;
      l.answers.push(...answers);
      l.wake?.();
    });
    const end = (err?: Error) => {
      l.ended = err ?? new Error("the runtime API session ended (HAProxy's stats timeout, or the replica stopped)");
      l.wake?.();
    };
    session.output.on("end", () => end());
    session.output.on("error", end);
    session.hold(true);
    session.write("prompt\n");
    // "prompt" answers with the first prompt alone.
    await next(l);
    return l;
  };

  const drop = () => {
    const was = live;
    live = null;
    void was?.then((l) => l.session.close(), () => undefined);
  };

  const run = async (command: string): Promise<string> => {
    live ??= start();
    let l: Live;
    try {
      l = await live;
      // Closed while idle (HAProxy's stats timeout ends a quiet session after 30 s, e.g. during a
      // deploy's build): nothing was sent on it, so a new session is opened for this command.
      if (l.ended) {
        drop();
        live = start();
        l = await live;
      }
    } catch (err) {
      drop();
      throw err;
    }
    l.session.hold(true);
    try {
      l.session.write(`${command}\n`);
      // "a; b" in one line: HAProxy answers each command with its own prompt.
      const parts = command.split(";").length;
      let answer = "";
      for (let i = 0; i < parts; i++) answer += await next(l);
      return answer;
    } catch (err) {
      drop();
      throw err;
    } finally {
      l.session.hold(false);
    }
  };

  return {
    command(command) {
      const result = chain.then(() => run(command));
      chain = result.catch(() => undefined);
      return result;
    },
    close: drop,
  };
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
  // argv only, never a shell: the command travels on the session's stdin, the state file through tee.
  const session = promptSession(() => docker.execSession(container, ["nc", host, String(port)]));
  return {
    where: `${label}: ${host}:${port} inside container ${container.slice(0, 12)}`,
    stateWhere: `${label}: ${REPLICA_STATE_FILE}`,
    command: (command) => session.command(command),
    saveState: async (text) => {
      // A temp file and a rename in the same directory: a replica restarted mid-write loads the old or the new states, never half.
      const tmp = `${REPLICA_STATE_FILE}.tmp`;
      await run(["mkdir", "-p", REPLICA_STATE_FILE.slice(0, REPLICA_STATE_FILE.lastIndexOf("/"))], "mkdir of the server-state directory");
      const tee = await docker.execSession(container, ["tee", tmp]);
      tee.write(text);
      await tee.finish(5000);
      await run(["mv", "-f", tmp, REPLICA_STATE_FILE], "saving the server states");
    },
    hint: `Check that the proxy replica on ${label} runs (docker service ps) and that its haproxy.cfg has "stats socket ipv4@${host}:${port} level admin".`,
  };
}
