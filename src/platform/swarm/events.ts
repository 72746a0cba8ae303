/**
 * Container events of the stacks, from every node's own engine (a swarm manager's /events carries
 * no other node's containers). Each node's stream is the one event stream bluegreen has
 * (subscribeEventStream: reconnect with backoff, resume `since`, de-duplication); its events are
 * rewritten on the way in so that a swarm container reads like a compose one: the stack namespace
 * as the project, the compose service name ("app-green") as the service.
 */
import { Transform } from "node:stream";
import { backoffDelay, EVENT_STREAM_BACKOFF } from "../../docker/backoff.js";
import { PROJECT_LABEL, SERVICE_LABEL, WANTED_ACTIONS } from "../../docker/docker-event.js";
import { filtersQuery } from "../../docker/engine-api.js";
import { describeCause } from "../../docker/errors.js";
import { subscribeEventStream } from "../../docker/event-stream.js";
import { JsonObjectStream } from "../../docker/json-object-stream.js";
import type { DockerEvent, EventStreamStatus, EventSubscription } from "../../docker/types.js";
import { STACK_LABEL } from "./api-types.js";
import type { Cluster, NodeView } from "./cluster.js";
import { sleep } from "./poll.js";
import { shortServiceName } from "./tasks.js";

const SWARM_SERVICE_LABEL = "com.docker.swarm.service.name";

/** Pure: one raw event with the stack's labels copied to the compose ones parseDockerEvent reads. */
export function asComposeEvent(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null) return raw;
  const event = raw as { Actor?: { Attributes?: Record<string, string> } };
  const attributes = event.Actor?.Attributes;
  const namespace = attributes?.[STACK_LABEL];
  if (!attributes || !namespace) return raw;
  const service = attributes[SWARM_SERVICE_LABEL];
  return {
    ...event,
    Actor: { ...event.Actor, Attributes: { ...attributes, [PROJECT_LABEL]: namespace, ...(service ? { [SERVICE_LABEL]: shortServiceName(service, namespace) } : {}) } },
  };
}

/** Pure: the server-side filter: container lifecycle events of these stacks. */
export function swarmEventFilters(namespaces: readonly string[]): Record<string, string[]> {
  // Label filters are ANDed: with several stacks, filter on the label's presence; the stream keeps the stacks' own.
  return { type: ["container"], label: namespaces.length === 1 ? [`${STACK_LABEL}=${namespaces[0]}`] : [STACK_LABEL], event: [...WANTED_ACTIONS] };
}

function rewriting(source: NodeJS.ReadableStream): NodeJS.ReadableStream {
  const parser = new JsonObjectStream();
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, parser.push(chunk).objects.map((o) => `${JSON.stringify(asComposeEvent(o))}\n`).join(""));
    },
  });
  source.on("error", (err: Error) => out.destroy(err));
  source.on("close", () => out.destroy());
  out.on("close", () => (source as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.());
  return source.pipe(out);
}

/**
 * One subscription per node of the swarm (the node list is read once at the start, retried until the
 * manager answers). The status is "connected" when every node's stream is, else the first node that
 * is reconnecting, named.
 */
export function watchNodes(cluster: Cluster, namespaces: string[], onEvent: (event: DockerEvent) => void, onStatus?: (status: EventStreamStatus) => void): EventSubscription {
  let closed = false;
  const subs: EventSubscription[] = [];
  const states = new Map<string, EventStreamStatus>();
  let attempt = 0;
  const report = (): void => {
    if (closed) return;
    const down = [...states.entries()].find(([, s]) => s.state === "reconnecting");
    if (down && down[1].state === "reconnecting") onStatus?.({ state: "reconnecting", attempt: down[1].attempt, error: `node ${down[0]}: ${down[1].error}` });
    else if (states.size > 0) onStatus?.({ state: "connected" });
  };
  const subscribe = (node: NodeView): void => {
    const client = node.client;
    if (!client) {
      states.set(node.hostname, { state: "reconnecting", attempt: 1, error: node.problem ?? "no endpoint" });
      return;
    }
    const filters = filtersQuery(swarmEventFilters(namespaces));
    subs.push(
      subscribeEventStream({
        projects: namespaces,
        onEvent,
        onStatus: (s) => {
          states.set(node.hostname, s);
          report();
        },
        open: async (since, signal) => rewriting(await client.stream(`/events?filters=${filters}${since === undefined ? "" : `&since=${since}`}`, signal)),
      }),
    );
  };
  void (async () => {
    while (!closed) {
      try {
        const nodes = await cluster.nodes();
        if (closed) return;
        nodes.forEach(subscribe);
        report();
        return;
      } catch (err) {
        attempt++;
        onStatus?.({ state: "reconnecting", attempt, error: `the manager (${cluster.manager.endpoint}): ${describeCause(err)}` });
        await sleep(backoffDelay(EVENT_STREAM_BACKOFF, attempt));
      }
    }
  })();
  return {
    close(): void {
      closed = true;
      for (const s of subs) s.close();
    },
  };
}
