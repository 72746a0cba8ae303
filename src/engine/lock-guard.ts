import type { Color } from "../domain/color.js";
import { errorMessage, type LockLostError } from "./errors.js";
import type { Ports } from "./ports.js";
import type { StackStatus } from "./status-model.js";
import { readStatus } from "./status.js";

/** Wraps `target` so that each of `methods` first calls `check` (which throws to refuse). */
function guard<T extends object>(target: T, methods: ReadonlyArray<keyof T>, check: () => void): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (!methods.includes(prop as keyof T)) return fn.bind(obj);
      return (...args: unknown[]) => {
        check();
        return fn.apply(obj, args);
      };
    },
  });
}

/**
 * The ports an operation runs with: every change to containers (compose), traffic (the proxy's live
 * and preview routes) or the state file first checks that the stack's lock is still held. Once it
 * is lost, the next change throws instead of happening, wherever the operation is.
 */
export function lockGuardedPorts(ports: Ports, lost: () => LockLostError | null): Ports {
  const check = (): void => {
    const err = lost();
    if (err) throw err;
  };
  return {
    ...ports,
    platform: guard(ports.platform, ["build", "start", "stop", "remove", "runOnce"], check),
    proxy: guard(ports.proxy, ["switchLive", "pointPreview"], check),
    state: guard(ports.state, ["write"], check),
  };
}

/** What the stack looks like now, in one sentence, for an operation that had to stop where it was. */
export async function describeStackNow(ports: Ports): Promise<string> {
  let status: StackStatus;
  try {
    status = await readStatus(ports);
  } catch (err) {
    return `unknown: the stack could not be read (${errorMessage(err)})`;
  }
  const slot = (c: Color): string => {
    const s = status.slots[c];
    const how = s.running ? `running, ${s.healthy ? "healthy" : "not healthy"}` : s.exists ? "stopped" : "absent";
    return `${c} (${s.version ?? "?"}, ${how})`;
  };
  return `the proxy routes live traffic to ${status.active ?? "nothing"}; ${slot("blue")}; ${slot("green")}`;
}
