import { once } from "node:events";
import { createRequire } from "node:module";
import { PassThrough, Readable, type Duplex } from "node:stream";
import type Dockerode from "dockerode";
import { toContainerInfo, type InspectData } from "./container-info.js";
import { eventFilters, PROJECT_LABEL } from "./docker-event.js";
import { engineApi, engineApiEndpoint, engineApiStream, filtersQuery, resolveDockerHost, type EngineApiEndpoint } from "./engine-api.js";
import { ContainerNotFoundError, DockerUnavailableError } from "./errors.js";
import { subscribeEventStream } from "./event-stream.js";
import type { Agent } from "node:http";
import type { Socket } from "node:net";
import type { ContainerInfo, DockerEvent, DockerPort, EventStreamStatus, EventSubscription, ExecResult, ExecSession } from "./types.js";

export interface DockerPortOptions {
  /** Unix socket of the daemon; default: `host`, else DOCKER_HOST, else /var/run/docker.sock. */
  socketPath?: string;
  /** The config's docker.host (unix:///… or tcp://host:port); wins over DOCKER_HOST. */
  host?: string | null;
  /** How long ping waits for an answer before calling the daemon unreachable. */
  pingTimeoutMs?: number;
  /** A keep-alive agent for every request (an ssh:// forward, where each new connection costs an ssh session). */
  agent?: Agent;
}

/** Error codes that mean "no daemon there" rather than "the daemon said no". */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

/** dockerode's connection options for a DOCKER_HOST-style endpoint (validated by the config). */
export function dockerodeOptions(host: string, agent?: Agent): Dockerode.DockerOptions {
  const extra = agent ? { agent } : {};
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length), ...extra };
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return { host: url.hostname, port: Number(url.port), protocol: "http", ...extra };
}

export function createDockerPort(opts: DockerPortOptions = {}): DockerPort {
  // The hot calls (ping, list, inspect, kill) go straight to the Engine API; dockerode is loaded only
  // by the calls that need it (exec, logs, events), so `status` and `rollback` never pay for it.
  const host = opts.socketPath ? null : (opts.host ?? null);
  const env = host ? { DOCKER_HOST: host } : process.env;
  const found = engineApiEndpoint(env, opts.socketPath);
  const api = found && opts.agent ? { ...found, agent: opts.agent } : found;
  let client: Dockerode | undefined;
  // require, not import(): dockerode is CommonJS, and the CLI bundle runs as a script with a V8 code
  // cache (src/launch), where a dynamic import() cannot run.
  const dockerode = async (): Promise<Dockerode> => {
    if (client) return client;
    const D = createRequire(import.meta.url)("dockerode") as typeof Dockerode;
    client = opts.socketPath ? new D({ socketPath: opts.socketPath, ...(opts.agent ? { agent: opts.agent } : {}) }) : host ? new D(dockerodeOptions(host, opts.agent)) : new D();
    return client;
  };
  const endpoint = host ?? describeEndpoint(api, opts.socketPath);

  /** Runs a daemon call, turning "cannot connect" into the operator-facing DockerUnavailableError. */
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (isUnreachable(err)) throw new DockerUnavailableError(endpoint, err);
      throw err;
    }
  };

  const inspectData = async (idOrName: string): Promise<InspectData> =>
    api
      ? engineApi<InspectData>(api, "GET", `/containers/${encodeURIComponent(idOrName)}/json`)
      : ((await (await dockerode()).getContainer(idOrName).inspect()) as InspectData);

  const inspect = async (idOrName: string): Promise<ContainerInfo | null> => {
    try {
      return toContainerInfo(await call(() => inspectData(idOrName)));
    } catch (err) {
      if (statusCode(err) === 404) return null;
      throw err;
    }
  };

  const listIds = async (filters: Record<string, string[]>): Promise<{ Id: string; Labels?: Record<string, string> }[]> =>
    api
      ? engineApi(api, "GET", `/containers/json?all=1&filters=${filtersQuery(filters)}`)
      : (await dockerode()).listContainers({ all: true, filters });

  /** Inspects each listed container; one that vanished in between (compose down running) is skipped. */
  const inspectAll = async (ids: string[]): Promise<ContainerInfo[]> => {
    const infos = await Promise.all(ids.map((id) => inspect(id)));
    return infos.filter((i): i is ContainerInfo => i !== null).sort((a, b) => a.name.localeCompare(b.name));
  };

  return {
    async ping(): Promise<void> {
      const timeoutMs = opts.pingTimeoutMs ?? 5_000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([api ? engineApi(api, "GET", "/_ping", timeoutMs) : (await dockerode()).ping(), timeout]);
      } catch (err) {
        throw new DockerUnavailableError(endpoint, err);
      } finally {
        clearTimeout(timer);
      }
    },

    async listProjectContainers(project: string): Promise<ContainerInfo[]> {
      const summaries = await call(() => listIds({ label: [`${PROJECT_LABEL}=${project}`] }));
      return inspectAll(summaries.map((s) => s.Id));
    },

    async listProjectsContainers(projects: string[]): Promise<ContainerInfo[]> {
      // Docker ANDs label filters: list every compose container once and keep those of the projects.
      const wanted = new Set(projects);
      const summaries = await call(() => listIds({ label: [PROJECT_LABEL] }));
      return inspectAll(summaries.filter((s) => wanted.has(s.Labels?.[PROJECT_LABEL] ?? "")).map((s) => s.Id));
    },

    inspect,

    async kill(idOrName: string, signal: string): Promise<void> {
      if (!/^[A-Z0-9]+$/.test(signal)) throw new Error(`kill: "${signal}" is not a signal name (bluegreen bug).`);
      await call(async () =>
        api
          ? engineApi(api, "POST", `/containers/${encodeURIComponent(idOrName)}/kill?signal=${signal}`)
          : (await dockerode()).getContainer(idOrName).kill({ signal }),
      ).catch((err: unknown) => rethrowContainerError(err, idOrName));
    },

    async exec(idOrName: string, argv: string[]): Promise<ExecResult> {
      if (argv.length === 0) throw new Error("exec needs a command: argv was empty (bluegreen bug).");
      const docker = await dockerode();
      const container = docker.getContainer(idOrName);
      const exec = await call(() => container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, Tty: false }))
        .catch((err: unknown) => rethrowContainerError(err, idOrName));
      const stream = await call(() => exec.start({ hijack: true, stdin: false }));
      const stdout = collect();
      const stderr = collect();
      docker.modem.demuxStream(stream, stdout.sink, stderr.sink);
      await new Promise<void>((resolve, reject) => {
        stream.on("end", resolve);
        stream.on("close", resolve);
        stream.on("error", reject);
      });
      // The stream can end a moment before the daemon records the exit code.
      let info = await call(() => exec.inspect());
      for (let i = 0; info.Running && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 10));
        info = await call(() => exec.inspect());
      }
      return { exitCode: info.ExitCode ?? -1, stdout: stdout.text(), stderr: stderr.text() };
    },

    async execSession(idOrName: string, argv: string[]): Promise<ExecSession> {
      if (argv.length === 0) throw new Error("exec needs a command: argv was empty (bluegreen bug).");
      const docker = await dockerode();
      const exec = await call(() => docker.getContainer(idOrName).exec({ Cmd: argv, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false }))
        .catch((err: unknown) => rethrowContainerError(err, idOrName));
      const stream = (await call(() => exec.start({ hijack: true, stdin: true }))) as Duplex & Partial<Pick<Socket, "ref" | "unref">>;
      const output = new PassThrough();
      docker.modem.demuxStream(stream, output, output);
      const end = () => output.end();
      stream.on("end", end);
      stream.on("close", end);
      stream.on("error", (err: Error) => output.destroy(err));
      return {
        write: (text) => void stream.write(text),
        output,
        hold: (active) => (active ? stream.ref?.() : stream.unref?.()),
        finish: (timeoutMs) =>
          new Promise<void>((resolve, reject) => {
            if (output.readableEnded) return resolve();
            const timer = setTimeout(() => {
              stream.destroy();
              reject(new Error(`${argv[0] ?? "exec"} did not end within ${timeoutMs} ms of its input's end`));
            }, timeoutMs);
            output.on("end", () => {
              clearTimeout(timer);
              resolve();
            });
            output.resume();
            stream.end();
          }),
        close: () => {
          stream.end();
          stream.destroy();
        },
      };
    },

    async logs(idOrName: string, tail: number): Promise<string> {
      const container = (await dockerode()).getContainer(idOrName);
      const data = await call(() => container.inspect()).catch((err: unknown) => rethrowContainerError(err, idOrName));
      const buffer = await call(() =>
        container.logs({ stdout: true, stderr: true, tail: Math.max(0, Math.floor(tail)), follow: false }),
      );
      const raw = Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer));
      if (data.Config.Tty) return raw.toString("utf8");
      // Non-TTY logs come in Docker's stdout/stderr frames: dockerode splits them; one sink keeps the order.
      const both = collect();
      const frames = Readable.from([raw]);
      (await dockerode()).modem.demuxStream(frames, both.sink, both.sink);
      await once(frames, "end");
      await new Promise((resolve) => setImmediate(resolve));
      return both.text();
    },

    subscribe(
      projects: string[],
      onEvent: (event: DockerEvent) => void,
      onStatus?: (status: EventStreamStatus) => void,
    ): EventSubscription {
      return subscribeEventStream({
        projects,
        onEvent,
        onStatus,
        open: async (since, signal) =>
          api
            ? engineApiStream(api, `/events?filters=${filtersQuery(eventFilters(projects))}${since === undefined ? "" : `&since=${since}`}`, signal)
            : (await dockerode()).getEvents({
                filters: eventFilters(projects),
                ...(since === undefined ? {} : { since }),
                abortSignal: signal,
              } as Dockerode.GetEventsOptions),
      });
    },
  };
}

function collect(): { sink: PassThrough; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  return { sink, text: () => Buffer.concat(chunks).toString("utf8") };
}

function rethrowContainerError(err: unknown, idOrName: string): never {
  const code = statusCode(err);
  if (code === 404) throw new ContainerNotFoundError(idOrName);
  if (code === 409) {
    throw new Error(
      `Container ${idOrName} is not running, so nothing can be run in it (${messageOf(err)}). ` +
        "What to do: start the color again (bluegreen deploy or docker-compose up) and retry.",
    );
  }
  throw err;
}

function statusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

function messageOf(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === "string") return json.message;
  return err instanceof Error ? err.message : String(err);
}

function isUnreachable(err: unknown): boolean {
  if (err instanceof DockerUnavailableError) return false;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" && UNREACHABLE_CODES.has(code);
}

function describeEndpoint(api: EngineApiEndpoint | null, socketPath: string | undefined): string {
  if (socketPath) return `unix://${socketPath}`;
  if (api?.socketPath) return `unix://${api.socketPath}`;
  if (api?.host) return `http://${api.host}:${api.port ?? 2375}`;
  return resolveDockerHost(null, process.env);
}
