import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerPort } from "../../src/docker/dockerode-port.js";
import type { DockerEvent, EventStreamStatus } from "../../src/docker/types.js";
import { DockerSocketForwarder } from "../../testkit/docker-socket-forwarder.js";
import { createTestContainer, ensureTinyImage, removeTestResources, removeTinyImage, until } from "./docker-fixtures.js";

let dir = "";
let forwarder: DockerSocketForwarder;

beforeAll(async () => {
  await removeTestResources();
  await ensureTinyImage();
  dir = await mkdtemp(join(tmpdir(), "bgt-h6-fwd-"));
  forwarder = new DockerSocketForwarder(join(dir, "docker.sock"));
  await forwarder.start();
});

afterAll(async () => {
  await forwarder?.kill();
  await removeTestResources();
  await removeTinyImage();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("event stream reconnect (through a socket forwarder, dockerd untouched)", () => {
  it("reports reconnecting while the daemon is gone, reconnects, and misses no event", async () => {
    const project = "bgt-h6-reconnect";
    const port = createDockerPort({ socketPath: forwarder.path });
    const events: { event: DockerEvent; at: number }[] = [];
    const statuses: { status: EventStreamStatus; at: number }[] = [];
    const sub = port.subscribe([project], (event) => events.push({ event, at: Date.now() }), (status) => statuses.push({ status, at: Date.now() }));
    const seen = (name: string, action: string) => events.filter((e) => e.event.name === name && e.event.action === action);
    try {
      await until(async () => statuses.some((s) => s.status.state === "connected"), 5_000, "first connection");
      const first = await createTestContainer({ name: "bgt-h6-rc-first", project });
      await until(async () => seen("bgt-h6-rc-first", "start").length > 0, 5_000, "start event of the first container");

      const droppedAt = Date.now();
      await forwarder.kill();
      await until(async () => statuses.some((s) => s.status.state === "reconnecting"), 2_000, "reconnecting status");
      const firstReconnecting = statuses.find((s) => s.status.state === "reconnecting");
      // While the "daemon" is away, something happens that the stream must not miss.
      await createTestContainer({ name: "bgt-h6-rc-during", project });
      await until(async () => statuses.filter((s) => s.status.state === "reconnecting").length >= 3, 5_000, "three failed attempts");

      const restartedAt = Date.now();
      await forwarder.start();
      await until(async () => statuses.at(-1)?.status.state === "connected", 10_000, "reconnected");
      const reconnected = statuses.at(-1);
      await until(async () => seen("bgt-h6-rc-during", "start").length > 0, 5_000, "replayed start event from the outage");

      await first.kill();
      await until(async () => seen("bgt-h6-rc-first", "die").length > 0, 5_000, "new die event after reconnect");

      const attempts = statuses.flatMap((s) => (s.status.state === "reconnecting" ? [s] : []));
      console.log(
        `[figures] reconnecting reported ${(firstReconnecting?.at ?? 0) - droppedAt} ms after the drop; ` +
          `attempt gaps ${attempts.map((a, i) => (i === 0 ? 0 : a.at - (attempts[i - 1]?.at ?? 0))).join(", ")} ms; ` +
          `connected ${(reconnected?.at ?? 0) - restartedAt} ms after the socket came back`,
      );
      expect(attempts.map((a) => (a.status.state === "reconnecting" ? a.status.attempt : 0))).toEqual(attempts.map((_, i) => i + 1));
      expect(attempts.slice(1).every((a) => a.status.state === "reconnecting" && /ENOENT|ECONNREFUSED/.test(a.status.error))).toBe(true);
      expect(seen("bgt-h6-rc-first", "start")).toHaveLength(1); // the replay did not repeat it
      expect(seen("bgt-h6-rc-during", "create")).toHaveLength(1);
    } finally {
      sub.close();
    }
    const count = statuses.length;
    await forwarder.kill();
    await new Promise((r) => setTimeout(r, 500));
    expect(statuses).toHaveLength(count); // closed: no more reconnecting
    await forwarder.start();
  });
});
