export { readState, writeState, statePath, StateFileError, type StackState, type StateUpdate } from "./active-color.js";
export {
  acquireLock,
  readLock,
  breakStaleLock,
  currentLockDetails,
  isProcessAlive,
  LockHeldError,
  BREAK_STALE_HINT,
  STALE_AFTER_MS,
  type Lock,
  type LockDetails,
  type LockStatus,
} from "./lock.js";
export { appendHistory, readHistory, historyPath, OUTCOMES, type HistoryEntry, type HistoryRead, type Outcome } from "./history.js";
export { refuseSymlink, refuseSymlinkedStatePaths, SymlinkRefusedError, STATE_FILE, LOCK_DIR, LOCK_DETAILS_FILE, HISTORY_FILE } from "./files.js";
