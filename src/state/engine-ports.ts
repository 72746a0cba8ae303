import type { Config } from "../config/types.js";
import { EngineError } from "../engine/errors.js";
import type { HistoryPort, LockPort, StateStore } from "../engine/ports.js";
import type { LockInfo } from "../engine/status-model.js";
import { appendHistory } from "./history.js";
import { readState, writeState } from "./active-color.js";
import { acquireLock, LockHeldError, lockDirFor, readLock, type LockStatus } from "./lock.js";

function lockInfo(status: LockStatus): LockInfo {
  const d = status.details;
  return {
    pid: d?.pid ?? 0,
    host: d?.host ?? "unknown",
    user: d?.user ?? "unknown",
    command: d?.command ?? "(no details written)",
    startedAt: d?.startedAt ?? status.refreshedAt.toISOString(),
    stale: status.stale,
  };
}

/**
 * The engine's state and history ports over the files in config.stateDir, and its lock: host-wide,
 * keyed by the stack and its Docker endpoint (lockDirFor, with the config's docker.host), so every
 * checkout of the stack on that endpoint shares it.
 */
export function createStatePorts(
  config: Config,
  who: { user: string; host: string },
  env: NodeJS.ProcessEnv = process.env,
): { state: StateStore; lock: LockPort; history: HistoryPort } {
  const dir = config.stateDir;
  // The endpoint the stack really uses: docker.host wins over DOCKER_HOST, as it does for Docker; on
  // swarm, the manager's. The lock is this host's: two machines driving one swarm do not exclude each other.
  const lockDir = lockDirFor(config.stack, env, config.platform?.kind === "swarm" ? config.platform.manager : config.docker.host);
  const state: StateStore = {
    read: () => readState(dir),
    write: (s) => writeState(dir, { ...s, updatedBy: `${who.user}@${who.host}` }),
  };
  const lock: LockPort = {
    async acquire(command, opts = {}) {
      try {
        const held = await acquireLock(lockDir, { command, config: config.file }, {
          ...(opts.takeOverStale ? { takeOverStale: true } : {}),
          ...(opts.onLost ? { onLost: opts.onLost } : {}),
        });
        return { release: () => held.release(), tookOver: held.tookOver ? lockInfo(held.tookOver) : null };
      } catch (err) {
        if (err instanceof LockHeldError) {
          throw new EngineError(
            "locked",
            err.message,
            "nothing was changed",
            err.status.stale ? "run `bluegreen resolve` to break the stale lock (after checking no bluegreen runs for this stack)" : "wait for the running operation to finish (`bluegreen status` shows it)",
            { cause: err },
          );
        }
        throw err;
      }
    },
    async read() {
      const s = await readLock(lockDir);
      return s ? lockInfo(s) : null;
    },
  };
  const history: HistoryPort = {
    append: (entry) => appendHistory(dir, entry),
  };
  return { state, lock, history };
}
