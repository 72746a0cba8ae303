import { createConnection } from "node:net";

/**
 * Sends one command to HAProxy's runtime API (stats socket) and returns the whole answer. In
 * non-interactive mode HAProxy answers and closes the connection, which ends the read.
 */
export function haproxyCommand(socketPath: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path: socketPath });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete answer to "${command}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on("connect", () => socket.write(`${command}\n`));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => finish(null));
    socket.on("error", (error) => finish(error));
  });
}
