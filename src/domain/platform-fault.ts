/**
 * A failure of the platform under the stack, not of the release: a swarm node lost during a rollout,
 * say. The adapter that meets it knows what the operator can do about it (`nextStep`); the engine
 * says that instead of "fix the release".
 */
export class PlatformFault extends Error {
  override readonly name = "PlatformFault";
  constructor(
    message: string,
    readonly nextStep: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The PlatformFault in an error or its causes, if any. */
export function platformFaultIn(err: unknown): PlatformFault | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof PlatformFault) return e;
  return null;
}
