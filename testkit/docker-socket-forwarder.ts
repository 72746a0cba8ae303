/**
 * A unix-socket forwarder to the real Docker daemon. Killing it looks to a client exactly like a
 * daemon restart (connections reset, socket gone), without touching the dockerd other people use;
 * start() again is the daemon coming back. Used by the event-stream reconnect test and fault scenario.
 */
import net from "node:net";

const DOCKER_SOCKET = "/var/run/docker.sock";

export class DockerSocketForwarder {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  constructor(readonly path: string) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(DOCKER_SOCKET);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.path, resolve);
    });
    this.server = server;
  }

  async kill(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
