import type { HookPoint, HookRun, HooksPort } from "../../src/engine/ports.js";
import type { FakeClock } from "./clock.js";

export interface FakeHookScript {
  exitCode?: number | null;
  timedOut?: boolean;
  ms?: number;
  output?: string[];
}

/** Hooks as data: which points exist and how each run ends; every run is recorded with its env. */
export class FakeHooks implements HooksPort {
  readonly scripts = new Map<HookPoint, FakeHookScript>();
  readonly runs: Array<{ point: HookPoint; env: Record<string, string>; timeoutMs: number }> = [];
  invalid: string | null = null;

  constructor(private readonly clock: FakeClock) {}

  /** Installs a hook at `point` (exit 0 unless told otherwise). */
  add(point: HookPoint, script: FakeHookScript = {}): this {
    this.scripts.set(point, script);
    return this;
  }

  async validate(): Promise<HookPoint[]> {
    if (this.invalid) throw new Error(this.invalid);
    return [...this.scripts.keys()];
  }

  async run(point: HookPoint, env: Record<string, string>, opts: { timeoutMs: number; onLine?: (line: string) => void }): Promise<HookRun | null> {
    const script = this.scripts.get(point);
    if (!script) return null;
    this.runs.push({ point, env: { ...env }, timeoutMs: opts.timeoutMs });
    const ms = script.timedOut ? opts.timeoutMs : (script.ms ?? 10);
    this.clock.advance(ms);
    for (const line of script.output ?? []) opts.onLine?.(line);
    return {
      point,
      path: `/srv/shop/.bluegreen/hooks/${point}`,
      exitCode: script.timedOut ? null : (script.exitCode ?? 0),
      timedOut: script.timedOut ?? false,
      durationMs: ms,
      tail: script.output ?? [],
    };
  }

  points(): HookPoint[] {
    return this.runs.map((r) => r.point);
  }
}
