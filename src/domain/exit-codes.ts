/** Exit codes of every command (the CLI and the harness commands it runs: smoke, verify), documented in the README. */
export const ExitCode = {
  Success: 0,
  /** The operation ran and failed (unhealthy release, smoke failure, FAIL verdict…). */
  Failed: 1,
  /** Bad flags, bad or missing configuration: nothing was changed. */
  Usage: 2,
  /** The stack is in a conflict that `bluegreen resolve` must settle first. */
  Conflict: 3,
  /** Another bluegreen holds the stack's lock. */
  Locked: 4,
  /** Confirmation needed but no TTY and no --yes; or the operator declined. */
  NotConfirmed: 5,
  /** Interrupted (Ctrl-C / SIGTERM) and aborted safely. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
