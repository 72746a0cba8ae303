/**
 * Every node runs a task only from an image its own engine has: with no registry (and
 * `--resolve-image never`), the images built or present on the manager are copied to each node
 * whose engine lacks them or holds another image under the same name (`docker save | docker load`,
 * as the lab does, over the Engine API).
 */
import { describeCause } from "../../docker/errors.js";
import { JsonObjectStream } from "../../docker/json-object-stream.js";
import { isReady, type NodeView } from "./cluster.js";
import { statusOf, type EngineClient } from "./engine-client.js";
import { SwarmAbortedError } from "./poll.js";

async function imageId(client: EngineClient, image: string): Promise<string | null> {
  try {
    return (await client.get<{ Id: string }>(`/images/${encodeURIComponent(image)}/json`)).Id;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

/** Pure: which nodes need `image` copied: ready nodes with an engine of their own whose ID differs. */
export function nodesLacking(nodes: Pick<NodeView, "hostname" | "state" | "endpoint">[], manager: string, ids: ReadonlyMap<string, string | null>, want: string): string[] {
  return nodes.filter((n) => isReady(n) && n.endpoint !== manager && ids.get(n.hostname) !== want).map((n) => n.hostname);
}

/** Reads `docker load`'s answer to its end; its JSON lines carry an error when the load failed. */
async function consumeLoad(stream: NodeJS.ReadableStream): Promise<void> {
  const parser = new JsonObjectStream();
  let error: string | null = null;
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => {
      for (const obj of parser.push(chunk).objects) {
        const e = (obj as { error?: unknown; errorDetail?: { message?: unknown } }).errorDetail?.message ?? (obj as { error?: unknown }).error;
        if (typeof e === "string") error = e;
      }
    });
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  if (error) throw new Error(error);
}

export async function distributeImages(
  images: string[],
  manager: EngineClient,
  nodes: NodeView[],
  opts: { onLine?: ((line: string) => void) | undefined; signal?: AbortSignal | undefined },
): Promise<void> {
  for (const image of [...new Set(images)]) {
    if (opts.signal?.aborted) throw new SwarmAbortedError("placing images on the nodes", "Some nodes may lack the new image; nothing was deployed.");
    const want = await imageId(manager, image);
    if (want === null) {
      opts.onLine?.(`${image}: not on the manager's engine, so not copied; each node must have it or pull it`);
      continue;
    }
    const ids = new Map<string, string | null>();
    await Promise.all(
      nodes.filter((n) => n.client && isReady(n)).map(async (n) => ids.set(n.hostname, await imageId(n.client as EngineClient, image).catch(() => null))),
    );
    for (const hostname of nodesLacking(nodes, manager.endpoint, ids, want)) {
      const node = nodes.find((n) => n.hostname === hostname);
      if (!node?.client) {
        opts.onLine?.(`${image}: cannot copy to ${hostname}: ${node?.problem ?? "no endpoint"}`);
        continue;
      }
      opts.onLine?.(`${image}: copying to ${hostname} (${node.endpoint})…`);
      try {
        const tar = await manager.dockerode().getImage(image).get();
        await consumeLoad(await node.client.dockerode().loadImage(tar, { quiet: true }));
      } catch (err) {
        throw new Error(
          `Could not copy ${image} from the manager to node ${hostname} (${node.endpoint}): ${describeCause(err)}. ` +
            `Nothing was deployed; tasks placed on ${hostname} would be rejected (no such image). ` +
            `What to do: check that node's engine (docker -H ${node.endpoint} info), or load it by hand (docker -H ${manager.endpoint} save ${image} | docker -H ${node.endpoint} load), then retry.`,
        );
      }
    }
  }
}
