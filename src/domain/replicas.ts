import type { Color } from "./color.js";

/** One proxy replica's routing, as it answered (a proxy of several replicas, e.g. one per swarm node). */
export interface ReplicaTargets {
  /** Where it runs ("node2"). */
  node: string;
  live: Color | null;
  preview: Color | null;
  /** Set when this replica's control channel did not answer. */
  error?: string;
}

/** Pure: "node1 live→blue preview→green; node2 does not answer (…)". */
export function describeReplicas(replicas: ReplicaTargets[]): string {
  return replicas.map((r) => (r.error !== undefined ? `${r.node} does not answer (${r.error})` : `${r.node} live→${r.live ?? "nothing"} preview→${r.preview ?? "nothing"}`)).join("; ");
}
