/**
 * A one-off command (a migration) on swarm: a `replicated-job` service of one task, made from the
 * color's service as compose resolves it for the release (image, entrypoint, env, networks), with
 * argv as its command's arguments like `compose run`. Its output is followed on the node the task
 * lands on; the service is removed when it ends, times out or is aborted (which stops its task).
 */
import { PassThrough } from "node:stream";
import { filtersQuery } from "../../docker/engine-api.js";
import { describeCause } from "../../docker/errors.js";
import type { OneOffResult } from "../../docker/types.js";
import { LineSplitter } from "../../process/line-splitter.js";
import { ONE_OFF_LABEL, type ServiceSpec, type SwarmTask } from "./api-types.js";
import type { Cluster } from "./cluster.js";
import type { ServiceDefinition } from "./compose-model.js";
import { statusOf } from "./engine-client.js";
import { sleep } from "./poll.js";

/** Pure: the job's service spec. */
export function jobSpec(o: { name: string; namespace: string; definition: ServiceDefinition; argv: string[] }): ServiceSpec {
  const d = o.definition;
  if (!d.image) throw new Error(`${d.name} has no image: a one-off job on swarm needs one (build it first, then give the service an image: name)`);
  return {
    Name: o.name,
    Labels: { [ONE_OFF_LABEL]: o.namespace },
    TaskTemplate: {
      ContainerSpec: {
        Image: d.image,
        Args: o.argv,
        ...(d.entrypoint ? { Command: d.entrypoint } : {}),
        Env: d.env,
        ...(d.user ? { User: d.user } : {}),
        ...(d.workingDir ? { Dir: d.workingDir } : {}),
        Labels: { ...d.labels, [ONE_OFF_LABEL]: o.namespace },
      },
      RestartPolicy: { Condition: "none" },
      Networks: d.networks.map((n) => ({ Target: n })),
    },
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
  };
}

const ENDED = new Set(["complete", "failed", "rejected", "shutdown", "orphaned", "remove"]);

export async function runJob(
  cluster: Cluster,
  spec: ServiceSpec,
  opts: { timeoutMs: number; signal?: AbortSignal | undefined; onLine?: ((line: string) => void) | undefined; pollMs: number; tailLines?: number },
): Promise<OneOffResult> {
  const lines: string[] = [];
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > (opts.tailLines ?? 40)) lines.shift();
    opts.onLine?.(line);
  };
  const image = spec.TaskTemplate.ContainerSpec?.Image ?? "";
  const command = `swarm job ${spec.Name} (${image}) ${(spec.TaskTemplate.ContainerSpec?.Args ?? []).join(" ")}`.trim();
  const result = (exitCode: number | null, extra: Partial<OneOffResult> = {}): OneOffResult => ({ exitCode, timedOut: false, aborted: false, lines, command, ...extra });
  if (opts.signal?.aborted) return result(null, { aborted: true });

  for (const network of (spec.TaskTemplate.Networks ?? []).map((n) => n.Target)) {
    try {
      await cluster.manager.get(`/networks/${encodeURIComponent(network)}`);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      throw new Error(`The one-off job cannot join network ${network}: it does not exist (its stack is not deployed). Nothing was run. What to do: deploy the stack that defines it (the shared services, or the color), then retry.`);
    }
  }
  const docker = cluster.manager.dockerode();
  const created = (await docker.createService(spec as never)) as { id?: string; ID?: string };
  const id = created.id ?? created.ID ?? "";
  const deadline = Date.now() + opts.timeoutMs;
  let logs: { done: Promise<void>; stop: () => void } | null = null;
  try {
    for (;;) {
      if (opts.signal?.aborted) {
        keep(`(aborted: job ${spec.Name} removed)`);
        return result(null, { aborted: true });
      }
      if (Date.now() >= deadline) {
        keep(`(timed out after ${opts.timeoutMs} ms: job ${spec.Name} removed)`);
        return result(null, { timedOut: true });
      }
      const tasks = await cluster.manager.get<SwarmTask[]>(`/tasks?filters=${filtersQuery({ service: [id] })}`).catch(() => []);
      const task = tasks[0];
      const containerId = task?.Status.ContainerStatus?.ContainerID;
      if (task && containerId && !logs) logs = await followLogs(cluster, task, containerId, keep);
      if (task && ENDED.has(task.Status.State)) {
        await Promise.race([logs?.done, sleep(3_000)]);
        if (task.Status.State !== "complete" && task.Status.State !== "failed") keep(`(job task ${task.Status.State}: ${task.Status.Err || task.Status.Message || "no reason given"})`);
        return result(task.Status.State === "complete" || task.Status.State === "failed" ? (task.Status.ContainerStatus?.ExitCode ?? null) : null);
      }
      await sleep(opts.pollMs, opts.signal);
    }
  } finally {
    logs?.stop();
    await docker
      .getService(id)
      .remove()
      .catch((err: unknown) => {
        if (statusOf(err) !== 404) keep(`(could not remove job service ${spec.Name}: ${describeCause(err)}; remove it with docker service rm ${spec.Name})`);
      });
  }
}

/** Follows the task container's output on its node until the container ends. */
async function followLogs(cluster: Cluster, task: SwarmTask, containerId: string, keep: (line: string) => void): Promise<{ done: Promise<void>; stop: () => void } | null> {
  const node = (await cluster.nodes()).find((n) => n.id === task.NodeID);
  if (!node?.client) return null;
  const docker = node.client.dockerode();
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.getContainer(containerId).logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  } catch {
    return null; // not created on the node yet: the next poll tries again
  }
  const out = new PassThrough();
  const splitter = new LineSplitter();
  out.on("data", (chunk: Buffer) => splitter.push(chunk).forEach(keep));
  docker.modem.demuxStream(stream, out, out);
  const done = new Promise<void>((resolve) => {
    const end = (): void => {
      splitter.flush().forEach(keep);
      resolve();
    };
    stream.on("end", end);
    stream.on("close", end);
    stream.on("error", end);
  });
  return { done, stop: () => (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.() };
}
