import type { Config } from "../config/types.js";
import { EngineError } from "../engine/errors.js";
import type { HistoryPort, LockPort, StateStore } from "../engine/ports.js";
import type { LockInfo } from "../engine/status-model.js";
import { appendHistory } from "./history.js";
import { readState, writeState } from "./active-color.js";
import { acquireLock, breakStaleLock, LockHeldError, readLock, type LockStatus } from "./lock.js";

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

/** The engine's state, lock and history ports over the files in config.stateDir. */
export function createStatePorts(config: Config, who: { user: string; host: string }): { state: StateStore; lock: LockPort; history: HistoryPort } {
  const dir = config.stateDir;
  const state: StateStore = {
    read: () => readState(dir),
    write: (s) => writeState(dir, { ...s, updatedBy: `${who.user}@${who.host}` }),
  };
  const lock: LockPort = {
    async acquire(command) {
      try {
        const held = await acquireLock(dir, { command });
        return { release: () => held.release() };
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
      const s = await readLock(dir);
      return s ? lockInfo(s) : null;
    },
    async breakStale() {
      await breakStaleLock(dir);
    },
  };
  const history: HistoryPort = {
    append: (entry) => appendHistory(dir, entry),
  };
  return { state, lock, history };
}
