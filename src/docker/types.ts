import type { Color } from "../domain/color.js";

export type ContainerState = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";
export type HealthState = "healthy" | "unhealthy" | "starting" | "none";

/** What bluegreen needs to know about one container (from `docker inspect`). */
export interface ContainerInfo {
  id: string;
  /** Container name without the leading slash. */
  name: string;
  /** Compose project and service labels. */
  project: string;
  service: string;
  /** From the `bluegreen.color` label, or null for shared services. */
  color: Color | null;
  /** From the `bluegreen.version` label (falls back to the APP_VERSION env), or null. */
  version: string | null;
  image: string;
  state: ContainerState;
  health: HealthState;
  /** Output of the last health check when it failed, trimmed; null otherwise. */
  lastHealthOutput: string | null;
  /** ISO time the container last started, or null if it never did. */
  startedAt: string | null;
  restarts: number;
  exitCode: number | null;
  /** The swarm node it runs on (its hostname in `docker node ls`); absent on one Docker host. */
  node?: string;
}

/** A Docker event, reduced to what the engine and TUI use. */
export interface DockerEvent {
  time: number; // ms since epoch
  /** e.g. "start", "die", "stop", "kill", "destroy", "create", "health_status: healthy", "pause" … */
  action: string;
  containerId: string;
  name: string;
  project: string | null;
  service: string | null;
  color: Color | null;
}

export type EventStreamStatus = { state: "connected" } | { state: "reconnecting"; attempt: number; error: string };

export interface EventSubscription {
  close(): void;
}

/** A running exec with stdin attached: what is written goes to its stdin; `output` is its stdout and stderr. */
export interface ExecSession {
  write(text: string): void;
  readonly output: NodeJS.ReadableStream;
  /** While false, the session does not keep the process alive (an idle session must not hold a CLI open). */
  hold(active: boolean): void;
  /** Ends its stdin (EOF for the program) and resolves when its output has ended. */
  finish(timeoutMs: number): Promise<void>;
  close(): void;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The Docker Engine, behind the small interface the engine and the TUI need. */
export interface DockerPort {
  /** Throws a clear error when the daemon does not answer. */
  ping(): Promise<void>;
  /** Containers (running or not) of a compose project, by its label. */
  listProjectContainers(project: string): Promise<ContainerInfo[]>;
  /** Containers of several compose projects (a stack's colors and shared services) from one list. */
  listProjectsContainers(projects: string[]): Promise<ContainerInfo[]>;
  inspect(idOrName: string): Promise<ContainerInfo | null>;
  /** Send a signal (e.g. "HUP") to a running container's main process. */
  kill(idOrName: string, signal: string): Promise<void>;
  /** Run argv (no shell) inside a running container. */
  exec(idOrName: string, argv: string[]): Promise<ExecResult>;
  /**
   * Run argv inside a running container with its stdin open, for a conversation (a proxy's runtime
   * API over one connection). Absent where the adapter cannot.
   */
  execSession?(idOrName: string, argv: string[]): Promise<ExecSession>;
  /** The last `tail` lines of a container's logs (stdout and stderr together). */
  logs(idOrName: string, tail: number): Promise<string>;
  /**
   * Docker's event stream for containers of the given compose projects. Reconnects with backoff
   * when the daemon goes away, reporting the status through `onStatus`.
   */
  subscribe(
    projects: string[],
    onEvent: (event: DockerEvent) => void,
    onStatus?: (status: EventStreamStatus) => void,
  ): EventSubscription;
}

/** One compose project (one color, or the shared services) and how to run compose for it. */
export interface ComposeTarget {
  project: string;
  files: string[];
  /** Working directory for compose (relative paths in the files resolve from the file's dir anyway). */
  cwd: string;
  /** Environment for interpolation (APP_VERSION, APP_FAILURE, ports, …), merged over process.env. */
  env: Record<string, string>;
}

export interface ComposeRunner {
  /** "v2" (`docker compose`) or "v1" (`docker-compose`), whichever the host has. */
  variant(): Promise<"v2" | "v1">;
  /** An abort of `signal` stops compose (its whole process group) and rejects with an AbortError. */
  build(target: ComposeTarget, onLine?: (line: string) => void, opts?: { signal?: AbortSignal; services?: string[] }): Promise<void>;
  /** `up -d` (optionally --build, --force-recreate) for exactly the services of this project; abortable like build. */
  up(target: ComposeTarget, opts?: { build?: boolean; recreate?: boolean; signal?: AbortSignal; services?: string[] }, onLine?: (line: string) => void): Promise<void>;
  stop(target: ComposeTarget, timeoutSec?: number): Promise<void>;
  /** `down` for this project only: its containers; never external networks or other projects. */
  down(target: ComposeTarget, opts?: { volumes?: boolean }): Promise<void>;
  /**
   * `run --rm --no-deps` of one service with argv (a migration). Resolves with how it ended, also
   * for a non-zero exit; on timeout or abort the container is removed (it would go on otherwise).
   */
  runOnce(target: ComposeTarget, service: string, argv: string[], opts: { timeoutMs: number; signal?: AbortSignal; onLine?: (line: string) => void }): Promise<OneOffResult>;
}

export interface OneOffResult {
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  /** The last output lines (compose's and the container's). */
  lines: string[];
  /** The command line, for messages. */
  command: string;
}
