import { EngineError } from "../../src/engine/errors.js";
import type { AcquireOptions, HeldLock, HistoryEntry, HistoryPort, LockPort, StateStore } from "../../src/engine/ports.js";
import type { LockInfo, RecordedState } from "../../src/engine/status-model.js";
import type { FakeClock } from "./clock.js";

type Identity = { user: string; host: string };

/** The active-color file in memory; `corrupt` makes reads fail like a half-written file would. */
export class FakeStateStore implements StateStore {
  current: RecordedState | null = null;
  corrupt: string | null = null;
  readonly writes: RecordedState[] = [];

  constructor(
    private readonly clock: FakeClock,
    private readonly identity: Identity,
  ) {}

  async read(): Promise<RecordedState | null> {
    if (this.corrupt) throw new Error(`.bluegreen/state.json is not valid JSON (${this.corrupt}); it was not changed. What to do: run \`bluegreen resolve\`.`);
    return this.current ? { ...this.current, versions: { ...this.current.versions } } : null;
  }

  async write(state: Omit<RecordedState, "updatedAt" | "updatedBy">): Promise<RecordedState> {
    const full: RecordedState = { ...state, versions: { ...state.versions }, updatedAt: new Date(this.clock.now()).toISOString(), updatedBy: `${this.identity.user}@${this.identity.host}` };
    this.current = full;
    this.corrupt = null;
    this.writes.push(full);
    return full;
  }
}

/** The stack lock; refuses like the real adapter, naming the holder. */
export class FakeLock implements LockPort {
  held: LockInfo | null = null;
  acquisitions = 0;
  releases = 0;
  takeOvers = 0;
  private onLost: ((reason: Error) => void) | null = null;

  constructor(
    private readonly clock: FakeClock,
    private readonly identity: Identity,
  ) {}

  /** Another process holds the lock (stale when that process is gone). */
  holdElsewhere(opts: { stale: boolean; command?: string }): void {
    this.held = {
      pid: 4242,
      host: "ci-runner-7",
      user: "deployer",
      command: opts.command ?? "deploy --version v9",
      startedAt: new Date(this.clock.now() - 600_000).toISOString(),
      stale: opts.stale,
    };
  }

  async acquire(command: string, opts: AcquireOptions = {}): Promise<HeldLock> {
    let tookOver: LockInfo | null = null;
    if (this.held) {
      const h = this.held;
      if (h.stale && opts.takeOverStale) {
        tookOver = { ...h };
        this.takeOvers += 1;
      } else {
        throw new EngineError(
          "locked",
          `the stack is locked by ${h.user}@${h.host} (pid ${h.pid}) running \`${h.command}\` since ${h.startedAt}${h.stale ? "; that process is gone (stale lock)" : ""}`,
          "nothing was changed",
          h.stale ? "run `bluegreen resolve` to break the stale lock" : "wait for it to finish, then run again",
        );
      }
    }
    const mine: LockInfo = { pid: process.pid, host: this.identity.host, user: this.identity.user, command, startedAt: new Date(this.clock.now()).toISOString(), stale: false };
    this.held = mine;
    this.acquisitions += 1;
    this.onLost = opts.onLost ?? null;
    let released = false;
    return {
      tookOver,
      release: async () => {
        if (released) return;
        released = true;
        this.releases += 1;
        if (this.held === mine) this.held = null;
      },
    };
  }

  /** Someone removed or replaced the lock while it was held: tells the holder, like proper-lockfile's onCompromised. */
  loseLock(why: string): void {
    this.held = null;
    const notify = this.onLost;
    this.onLost = null;
    notify?.(new Error(why));
  }

  async read(): Promise<LockInfo | null> {
    return this.held ? { ...this.held } : null;
  }
}

export class FakeHistory implements HistoryPort {
  readonly entries: HistoryEntry[] = [];

  async append(entry: HistoryEntry): Promise<void> {
    this.entries.push(entry);
  }
}
