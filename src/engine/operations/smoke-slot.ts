import type { Color } from "../../domain/color.js";
import { LockLostError } from "../errors.js";
import type { Ports } from "../ports.js";

/**
 * `smoke --slot`: points the preview route at `slot` and runs the checks through it, holding the
 * stack's lock for the whole run (no deploy may move the preview route meanwhile). `run`'s signal
 * aborts on `signal` and when the lock is lost.
 */
export async function smokeSlot<T>(ports: Ports, slot: Color, signal: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const lost = new AbortController();
  const held = await ports.lock.acquire(`smoke --slot ${slot}`, { onLost: (reason) => lost.abort(new LockLostError(reason)) });
  try {
    if ((await ports.proxy.previewTarget()) !== slot) await ports.proxy.pointPreview(slot);
    return await run(AbortSignal.any([signal, lost.signal]));
  } finally {
    await held.release();
  }
}
