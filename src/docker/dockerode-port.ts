import { once } from "node:events";
import { PassThrough, Readable } from "node:stream";
import Dockerode from "dockerode";
import { toContainerInfo, type InspectData } from "./container-info.js";
import { eventFilters, PROJECT_LABEL } from "./docker-event.js";
import { ContainerNotFoundError, DockerUnavailableError } from "./errors.js";
import { subscribeEventStream } from "./event-stream.js";
import type { ContainerInfo, DockerEvent, DockerPort, EventStreamStatus, EventSubscription, ExecResult } from "./types.js";

export interface DockerPortOptions {
  /** Unix socket of the daemon; default: `host`, else DOCKER_HOST, else /var/run/docker.sock. */
  socketPath?: string;
  /** The config's docker.host (unix:///… or tcp://host:port); wins over DOCKER_HOST. */
  host?: string | null;
  /** How long ping waits for an answer before calling the daemon unreachable. */
  pingTimeoutMs?: number;
}

/** Error codes that mean "no daemon there" rather than "the daemon said no". */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

/** dockerode's connection options for a DOCKER_HOST-style endpoint (validated by the config). */
export function dockerodeOptions(host: string): Dockerode.DockerOptions {
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return { host: url.hostname, port: Number(url.port), protocol: "http" };
}

export function createDockerPort(opts: DockerPortOptions = {}): DockerPort {
  const docker = opts.socketPath
    ? new Dockerode({ socketPath: opts.socketPath })
    : opts.host
      ? new Dockerode(dockerodeOptions(opts.host))
      : new Dockerode();
  const endpoint = opts.host && !opts.socketPath ? opts.host : describeEndpoint(docker, opts.socketPath);

  /** Runs a daemon call, turning "cannot connect" into the operator-facing DockerUnavailableError. */
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (isUnreachable(err)) throw new DockerUnavailableError(endpoint, err);
      throw err;
    }
  };

  const inspect = async (idOrName: string): Promise<ContainerInfo | null> => {
    try {
      const data = await call(() => docker.getContainer(idOrName).inspect());
      return toContainerInfo(data as InspectData);
    } catch (err) {
      if (statusCode(err) === 404) return null;
      throw err;
    }
  };

  return {
    async ping(): Promise<void> {
      const timeoutMs = opts.pingTimeoutMs ?? 5_000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([docker.ping(), timeout]);
      } catch (err) {
        throw new DockerUnavailableError(endpoint, err);
      } finally {
        clearTimeout(timer);
      }
    },

    async listProjectContainers(project: string): Promise<ContainerInfo[]> {
      const summaries = await call(() =>
        docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${project}`] } }),
      );
      // A container can vanish between list and inspect (compose down running): skip it.
      const infos = await Promise.all(summaries.map((s) => inspect(s.Id)));
      return infos.filter((i): i is ContainerInfo => i !== null).sort((a, b) => a.name.localeCompare(b.name));
    },

    inspect,

    async exec(idOrName: string, argv: string[]): Promise<ExecResult> {
      if (argv.length === 0) throw new Error("exec needs a command: argv was empty (bluegreen bug).");
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

    async logs(idOrName: string, tail: number): Promise<string> {
      const container = docker.getContainer(idOrName);
      const data = await call(() => container.inspect()).catch((err: unknown) => rethrowContainerError(err, idOrName));
      const buffer = await call(() =>
        container.logs({ stdout: true, stderr: true, tail: Math.max(0, Math.floor(tail)), follow: false }),
      );
      const raw = Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer));
      if (data.Config.Tty) return raw.toString("utf8");
      // Non-TTY logs come in Docker's stdout/stderr frames: dockerode splits them; one sink keeps the order.
      const both = collect();
      const frames = Readable.from([raw]);
      docker.modem.demuxStream(frames, both.sink, both.sink);
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
        open: (since, signal) =>
          docker.getEvents({
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

function describeEndpoint(docker: Dockerode, socketPath: string | undefined): string {
  if (socketPath) return `unix://${socketPath}`;
  const modem = docker.modem as unknown as { socketPath?: unknown; host?: string; port?: number | string; protocol?: string };
  if (typeof modem.socketPath === "string") return `unix://${modem.socketPath}`;
  if (modem.host) return `${modem.protocol ?? "http"}://${modem.host}${modem.port ? `:${modem.port}` : ""}`;
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}
