import { otherColor, type Color } from "../../domain/color.js";
import type { OperationContext } from "../context.js";
import { EngineError } from "../errors.js";
import { readStatus } from "../status.js";
import { stopColor, switchLive } from "../steps.js";
import type { OperationOutcome } from "./outcome.js";
import { describeColor } from "./switch.js";

/**
 * Settles a stack that disagrees with itself: exactly one active, healthy color, the proxy routing to
 * it, the other color stopped, and the state file agreeing with the proxy. A stale lock was already
 * replaced by this run's own lock when it started (one atomic step; the lock is held for the whole run).
 */
export async function resolve(ctx: OperationContext, args: { keep: Color | null }): Promise<OperationOutcome> {
  const { ports } = ctx;
  const status = await ctx.phase("preflight", () => readStatus(ports));
  const tookOver = ctx.lock?.tookOver ?? null;
  const staleLock = tookOver
    ? `${tookOver.user}@${tookOver.host} (pid ${tookOver.pid}) ran \`${tookOver.command}\` since ${tookOver.startedAt} and is gone; this resolve took the lock over and releases it when done`
    : null;
  // A stale lock means an operation died half-way (a deploy killed during verify leaves both colors
  // running): settle fully around the live color, as for any conflict, even when nothing else is named.
  if (status.conflicts.length === 0 && !staleLock) {
    ctx.skip("resolve", "no conflict");
    const v = status.active ? status.slots[status.active].version : null;
    return { outcome: "noop", message: `nothing to resolve: ${status.active ?? "no color"} is live and everything agrees`, from: { color: status.active, version: v }, to: { color: status.active, version: v } };
  }
  const proxyDown = status.conflicts.find((c) => c.kind === "proxy-down");
  if (proxyDown) {
    throw new EngineError("failed", proxyDown.message, "nothing was changed; both colors were left as they are", "start the shared services with `bluegreen up`, then run `bluegreen status` again");
  }
  const recommended = status.conflicts.find((c) => c.recommend)?.recommend ?? (staleLock ? status.active : null);
  const keep = args.keep ?? recommended;
  if (!keep && staleLock && status.conflicts.length === 0) {
    ctx.skip("resolve", "only the stale lock needed settling: no color is live to settle around");
    return { outcome: "success", message: `resolved: the stale lock was taken over and is released (${staleLock})`, from: { color: null, version: null }, to: { color: null, version: null } };
  }
  if (!keep) {
    throw new EngineError(
      "usage",
      `no color can be recommended (${status.conflicts.map((c) => c.why).join("; ")})`,
      "nothing was changed",
      "choose with `bluegreen resolve --keep blue|green` (the kept color must be healthy), or deploy a working version",
    );
  }
  if (keep && !status.slots[keep].healthy) {
    throw new EngineError(
      "failed",
      `refusing to keep ${describeColor(status, keep)}: live traffic would go to a color with no healthy container`,
      "nothing was changed",
      `keep the other color (\`--keep ${otherColor(keep)}\`) if it is healthy, or deploy a working version`,
    );
  }
  const drop = keep ? otherColor(keep) : null;
  const actions: string[] = [];
  if (keep && status.proxy.target !== keep) actions.push(`switch the proxy to ${keep}`);
  if (drop && status.slots[drop].running) actions.push(`stop ${drop}`);
  if (keep) actions.push(`record ${keep} as active in the state file`);

  const ok = await ctx.phase("confirm", () =>
    ctx.confirm({
      id: "resolve",
      question: `Keep ${keep} and settle the stack?`,
      facts: [
        ...(staleLock ? [["stale lock", staleLock] as [string, string]] : []),
        ...status.conflicts.map((c): [string, string] => [c.kind, c.message]),
        ["blue", describeColor(status, "blue")],
        ["green", describeColor(status, "green")],
        ["proxy routes to", status.proxy.target ?? "nothing"],
        ["state file says", status.state?.active ?? (status.stateError ? "unreadable" : "nothing recorded")],
        ["recommendation", recommended ? `keep ${recommended}: ${status.conflicts.find((c) => c.recommend)?.why ?? ""}` : "none"],
      ],
      consequence: actions.join(", "),
    }),
  );
  if (!ok) {
    throw new EngineError(
      "declined",
      "resolve was not confirmed",
      `nothing was changed${staleLock ? "; the stale lock was replaced by this resolve's own lock, which is now released" : ""}`,
      "run again and confirm, or pass --yes / --keep",
    );
  }

  await ctx.phase("resolve", async () => {
    const versions = { ...(status.state?.versions ?? {}) };
    for (const c of ["blue", "green"] as const) {
      const v = status.slots[c].version;
      if (v) versions[c] = v;
    }
    // After an interrupted operation (stale lock) re-assert the routing even when the proxy already
    // serves `keep`: a deploy killed mid-switch can leave the proxy's saved config (nginx include
    // file, HAProxy server states) pointing elsewhere, and the next reload or restart would put that
    // in force. The drivers make this a no-op when running and saved routing agree.
    if (status.proxy.target !== keep || tookOver) await switchLive(ctx, keep, drop, versions, false);
    if (drop && status.slots[drop].running) await stopColor(ctx, drop);
    await ports.state.write({ active: keep, previous: drop && status.slots[drop].exists ? drop : (status.state?.previous ?? null), versions, warm: false });
  }, actions.join(", "));

  const v = keep ? status.slots[keep].version : null;
  return {
    outcome: "success",
    message: `resolved: ${keep} (${v ?? "?"}) is live and recorded; ${actions.join(", ")}${staleLock ? "; the stale lock was taken over" : ""}`,
    from: { color: status.proxy.target, version: status.proxy.target ? status.slots[status.proxy.target].version : null },
    to: { color: keep, version: v },
  };
}
