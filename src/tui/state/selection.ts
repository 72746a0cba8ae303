import type { ContainerInfo } from "../../docker/types.js";
import type { StackStatus } from "../../engine/status-model.js";

/** Containers in the order the selection moves through them: blue, green, then shared. */
export function selectableContainers(status: StackStatus | null): ContainerInfo[] {
  if (!status) return [];
  return [...status.slots.blue.containers, ...status.slots.green.containers, ...status.shared];
}

/** Moves the selection by `delta`, wrapping; keeps it on the same container across refreshes. */
export function moveSelection(names: readonly string[], current: string | null, delta: number): string | null {
  if (names.length === 0) return null;
  const i = current ? names.indexOf(current) : -1;
  const from = i < 0 ? (delta > 0 ? -1 : 0) : i;
  const next = (((from + delta) % names.length) + names.length) % names.length;
  return names[next] ?? null;
}
