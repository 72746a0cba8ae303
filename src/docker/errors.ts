/**
 * Errors of the Docker adapter. Each message says what happened, the state now and what to do,
 * because the CLI and the TUI show them to the operator as they are.
 */

/** The Docker daemon did not answer (socket missing, refused, or no permission). */
export class DockerUnavailableError extends Error {
  override readonly name = "DockerUnavailableError";
  constructor(
    readonly endpoint: string,
    override readonly cause: unknown,
  ) {
    const reason = describeCause(cause);
    const permission = /EACCES|permission denied/i.test(reason);
    super(
      `Docker is not reachable at ${endpoint} (${reason}). Nothing was changed. ` +
        (endpoint.startsWith("ssh://")
          ? `What to do: make \`ssh ${endpoint.slice("ssh://".length).replace(/\/$/, "")} docker system dial-stdio\` work without a prompt (key or agent, known_hosts, the docker CLI on that host; swarm.sshConfig names an ssh_config), then retry.`
          : permission
          ? "What to do: give this user access to the socket (add it to the docker group, or run as root), or point DOCKER_HOST at a daemon you can use."
            : "What to do: run `bash scripts/ensure-docker.sh` or start dockerd; check DOCKER_HOST and the socket's permissions."),
    );
  }
}

/** A container that bluegreen was asked to act on does not exist. */
export class ContainerNotFoundError extends Error {
  override readonly name = "ContainerNotFoundError";
  constructor(readonly container: string) {
    super(
      `Container ${container} does not exist (it may have been removed). ` +
        "What to do: check `docker ps -a` and bring the color up again (bluegreen status shows what is running).",
    );
  }
}

/** Something a health wait learnt about one container it was still waiting for. */
export interface PendingHealth {
  name: string;
  state: string;
  health: string;
  lastHealthOutput: string | null;
  logTail: string;
}

/** Containers did not turn healthy in time; they are still there, untouched. */
export class HealthTimeoutError extends Error {
  override readonly name = "HealthTimeoutError";
  constructor(
    readonly timeoutMs: number,
    readonly pending: PendingHealth[],
  ) {
    const parts = pending.map(
      (p) =>
        `${p.name} (state: ${p.state}, health: ${p.health})` +
        (p.lastHealthOutput ? `\n  last health check output: ${p.lastHealthOutput}` : "") +
        (p.logTail ? `\n  last log lines:\n${indent(p.logTail, "    ")}` : "\n  (no log output)"),
    );
    super(
      `Timed out after ${(timeoutMs / 1000).toFixed(1)}s waiting for ${pending.map((p) => p.name).join(", ")} to become healthy.\n` +
        parts.join("\n") +
        "\nWhat to do: read the health check output and logs above " +
        "(or `docker logs <name>`), fix the release or raise the health timeout, then deploy again.",
    );
  }
}

/** A watched container exited (or was removed) before it turned healthy. */
export class ContainerDiedError extends Error {
  override readonly name = "ContainerDiedError";
  constructor(
    readonly container: string,
    readonly exitCode: number | null,
    readonly state: string,
    readonly logTail: string,
  ) {
    const how = state === "removed" ? "was removed" : `exited${exitCode === null ? "" : ` with code ${exitCode}`}`;
    super(
      `Container ${container} ${how} while waiting for it to become healthy (state now: ${state}).` +
        (logTail ? `\n  last log lines:\n${indent(logTail, "    ")}` : "\n  (no log output)") +
        `\nWhat to do: read its logs (\`docker logs ${container}\`), fix the release, then deploy again.`,
    );
  }
}

/** Neither `docker compose` (v2) nor `docker-compose` (v1) could be run. */
export class ComposeNotFoundError extends Error {
  override readonly name = "ComposeNotFoundError";
  constructor(readonly tried: string[]) {
    super(
      `Docker Compose was not found: tried ${tried.map((t) => `\`${t}\``).join(" and ")}, neither ran. Nothing was changed. ` +
        "What to do: install the Compose v2 plugin (docker compose) or docker-compose v1 " +
        "(`bash scripts/ensure-docker.sh` does it on Debian), then retry.",
    );
  }
}

/** A compose command failed; carries the command line, exit code and its last output lines. */
/** A compose run stopped because its operation was aborted (Ctrl-C / SIGTERM, or the lock was lost). */
export class ComposeAbortedError extends Error {
  override readonly name = "AbortError";
  constructor(
    readonly commandLine: string,
    how: string,
    options?: { cause?: unknown },
  ) {
    super(`\`${commandLine}\` was interrupted (${how}); the project may be partly changed: check \`docker ps -a\` for its containers`, options);
  }
}

export class ComposeError extends Error {
  override readonly name = "ComposeError";
  constructor(
    readonly commandLine: string,
    readonly exitCode: number | null,
    readonly lastLines: string[],
    readonly spawnError?: string,
  ) {
    const how = spawnError ? `could not be started (${spawnError})` : `failed with exit code ${exitCode ?? "none (killed)"}`;
    super(
      `\`${commandLine}\` ${how}.` +
        (lastLines.length ? `\nLast output:\n${indent(lastLines.join("\n"), "  ")}` : "\n(no output)") +
        "\nThe project may be partly changed: check `docker ps -a` for its containers. " +
        "What to do: fix the cause shown above and run the step again (compose up/down are idempotent).",
    );
  }
}

export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}

/** A wait was cancelled by its caller (Ctrl-C, deploy aborted); nothing was changed by the wait. */
export class WaitAbortedError extends Error {
  override readonly name = "AbortError";
  constructor(
    readonly what: string,
    override readonly cause?: unknown,
  ) {
    super(
      `Stopped waiting for ${what}: the operation was cancelled. The containers are left as they are. ` +
        "What to do: run `bluegreen status` to see their state, then deploy again or stop the standby color.",
    );
  }
}
