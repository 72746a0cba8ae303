/**
 * The proxy's control channel (admin socket, runtime API, docker exec) did not answer or answered
 * something we cannot use. Unlike ProxyChangeRejected this says nothing certain about the routing
 * in force: the message states what is known.
 */
export class ProxyControlError extends Error {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
    this.name = "ProxyControlError";
  }
}

/** A short, one-line form of an unknown thrown value, for error messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
