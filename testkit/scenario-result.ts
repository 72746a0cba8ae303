/**
 * One fault-suite result row. It lives in the test kit because the bad-input and security checks
 * (testkit/bad-input, testkit/security) return it to both the fault suite and the integration tests.
 */

export interface ScenarioResult {
  /** Unique, readable: "kill -9 after build (nginx)", "bad-input: unknown key". */
  name: string;
  /** How many times the fault was applied (a case, a kill, a deploy attempt). */
  runs: number;
  /** Requests sent through the live route while the scenario ran (0 when no load applies). */
  requests: number;
  /** Hard failures among those requests (5xx, refused, timeout, reset on a fresh connection). */
  hard: number;
  /**
   * Hard failures that are allowed for this scenario and reported honestly instead of failing the
   * suite (e.g. the crash window of a release that crashes right after the switch). 0 by default:
   * the suite fails when hard > allowedHard.
   */
  allowedHard?: number;
  /** The stack, state files, proxy and exit code ended as the scenario requires. */
  endStateCorrect: boolean;
  seconds: number;
  /** One line: what was checked and, on failure, what went wrong. */
  detail: string;
  /** The machine's 1-minute load average when the scenario ended (set by the runner). */
  load?: number;
}

/** True when the scenario passes the suite's bar. */
export function scenarioPassed(r: ScenarioResult): boolean {
  return r.endStateCorrect && r.hard <= (r.allowedHard ?? 0);
}
