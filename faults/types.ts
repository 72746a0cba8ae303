/**
 * The shared shape of the fault suite: every scenario (runtime faults, bad input, security) returns
 * one ScenarioResult; the runner prints one line per result and writes the table to reports/faults.md.
 *
 * Registry: each folder under faults/ (runtime/, bad-input/, security/) has an index.ts that
 * exports `export const group: ScenarioGroup = {...}`. faults/registry.ts discovers those folders
 * (no static import, so a folder can be added without touching the runner) and the runner runs the
 * groups sequentially in the order bad-input, security, runtime, then any other folder by name.
 * Run: `npm run faults` (all), `npm run faults -- kill nginx` (scenarios whose name contains every
 * word, case-insensitive; use `matchesFilter`).
 * faults/ is typechecked with the rest of the project (root tsconfig) and run in place by vite-node;
 * import project code with relative ".js" paths as elsewhere.
 */

import type { ScenarioResult } from "../testkit/scenario-result.js";

export type { ScenarioResult };
export { scenarioPassed } from "../testkit/scenario-result.js";

/** The context the runner gives each scenario group. */
export interface ScenarioContext {
  /** Print a progress line (goes to stderr so stdout stays one line per scenario). */
  log(message: string): void;
  /** Only run scenarios whose name contains every one of these words (empty: all); see matchesFilter. */
  filter: string[];
}

export interface ScenarioGroup {
  /** "runtime", "bad-input", "security". */
  name: string;
  /**
   * Runs the group's scenarios one at a time and calls `report` as each finishes (so the runner
   * can print a line per scenario as it goes). Groups clean up everything they create, even on failure.
   */
  run(ctx: ScenarioContext, report: (result: ScenarioResult) => void): Promise<void>;
}

/** Should a scenario with this name run under the filter words (all must occur, case-insensitive)? */
export function matchesFilter(name: string, filter: string[]): boolean {
  const n = name.toLowerCase();
  return filter.every((w) => n.includes(w.toLowerCase()));
}
