import type { Color } from "../../domain/color.js";
import type { OperationContext } from "../context.js";
import { EngineError, errorMessage } from "../errors.js";
import { readStatus } from "../status.js";
import { switchLive, versionEnv, waitColorHealthy } from "../steps.js";
import type { OperationOutcome } from "./outcome.js";

/**
 * The whole stack: `up` starts the shared services and the recorded live color (blue on a fresh
 * stack) with the proxy pointed at it; `down` takes every project down and records what was live,
 * so the next `up` starts cleanly from it; `shared` rolls out one shared service while routing is kept.
 */

/** Waits until the proxy's control channel answers (a just-started proxy needs a moment). */
async function proxyAnswers(ctx: OperationContext, timeoutMs = 30_000): Promise<{ live: Color | null; preview: Color | null }> {
  const deadline = ctx.ports.clock.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      return { live: await ctx.ports.proxy.liveTarget(), preview: await ctx.ports.proxy.previewTarget() };
    } catch (err) {
      last = errorMessage(err);
    }
    if (ctx.ports.clock.now() > deadline) throw new Error(`the proxy did not answer within ${Math.round(timeoutMs / 1000)} s: ${last}`);
    await ctx.ports.clock.sleep(250, ctx.signal);
  }
}

export async function up(ctx: OperationContext, args: { version: string | null }): Promise<OperationOutcome> {
  const { ports, config } = ctx;
  const status = await ctx.phase("preflight", () => readStatus(ports));
  const recorded = status.state;
  const color: Color = recorded?.active ?? status.active ?? "blue";
  // The recorded version of the live color wins: `up` brings back what was live, `deploy` changes it.
  const version = recorded?.versions[color] ?? args.version ?? status.slots[color].version ?? null;
  ctx.subject = { from: { color: status.active, version: status.active ? status.slots[status.active].version : null }, to: { color, version } };

  await ctx.phase("shared", () => ports.platform.start("shared", { build: true, onLine: ctx.platformLine }), "starting the shared services (proxy, datastore)");
  await proxyAnswers(ctx);

  const slot = status.slots[color];
  if (slot.healthy && (version === null || slot.version === version)) {
    ctx.skip("start", `${color} is already running and healthy`);
    ctx.skip("health", `${color} is already running and healthy`);
  } else {
    const env = version === null ? {} : versionEnv(ctx, version);
    try {
      await ctx.phase("start", () => ports.platform.start(color, { env, build: false, recreate: slot.exists && version !== null && slot.version !== version, onLine: ctx.platformLine }), `starting ${color}${version ? ` (${version})` : ""}`);
      await ctx.phase("health", () => waitColorHealthy(ctx, color), `waiting for ${color} to be healthy`);
    } catch (err) {
      throw new EngineError("failed", `${color}${version ? ` (${version})` : ""} could not be brought up healthy: ${errorMessage(err)}`, "the shared services run; no color serves live traffic", "read the message above, fix the cause, then `bluegreen up` again (or deploy a working version)", { cause: err });
    }
  }
  const versions = { ...(recorded?.versions ?? {}), ...(version ? { [color]: version } : {}) };
  const other = color === "blue" ? "green" : "blue";
  await ctx.phase("switch", () => switchLive(ctx, color, recorded?.previous ?? null, versions, status.slots[other].running), `pointing the live route at ${color}`);
  return {
    outcome: "success",
    message: `the stack is up: ${color}${version ? ` (${version})` : ""} serves live traffic on ${config.proxy.liveUrl}`,
    from: ctx.subject.from,
    to: { color, version },
  };
}

export async function down(ctx: OperationContext, args: { volumes: boolean }): Promise<OperationOutcome> {
  const { ports, config } = ctx;
  const status = await ctx.phase("preflight", () => readStatus(ports));
  const live = status.active ?? status.state?.active ?? null;
  const versions = { ...(status.state?.versions ?? {}) };
  for (const c of ["blue", "green"] as const) {
    const v = status.slots[c].version;
    if (v && status.slots[c].running) versions[c] = v;
  }
  ctx.subject = { from: { color: live, version: live ? (versions[live] ?? null) : null }, to: { color: null, version: null } };
  const ok = await ctx.phase("confirm", () =>
    ctx.confirm({
      id: "down",
      question: `Take the whole stack ${config.stack} down?`,
      facts: [
        ["live now", live ? `${live} (${versions[live] ?? "?"})` : "nothing"],
        ["projects", `${config.stack}, ${config.stack}-blue, ${config.stack}-green`],
        ["volumes", args.volumes ? "removed (data is lost)" : "kept"],
        ["afterwards", `\`bluegreen up\` starts ${live ?? "blue"} again`],
      ],
      consequence: "every container of the stack is removed and live traffic stops",
    }),
  ).catch(() => false);
  if (!ok) throw new EngineError("declined", "taking the stack down was not confirmed", "nothing was changed", "run again and confirm, or pass --yes");

  await ctx.phase(
    "stop",
    async () => {
      for (const color of ["blue", "green"] as const) await ports.platform.remove(color, { volumes: args.volumes });
      await ports.platform.remove("shared", { volumes: args.volumes });
    },
    "taking every project of the stack down",
  );
  // What was live (and at which versions) stays recorded, with nothing warm: the next `up` starts it
  // and points the proxy at it, so it opens without a drift or both-running conflict.
  await ctx.phase("record", () => ports.state.write({ active: live, previous: status.state?.previous ?? null, versions, warm: false }));
  return {
    outcome: "success",
    message: `the stack is down${args.volumes ? " (volumes removed)" : ""}; \`bluegreen up\` starts ${live ? `${live} (${versions[live] ?? "?"})` : "blue"} again`,
    from: ctx.subject.from,
    to: { color: null, version: null },
  };
}

/**
 * Rolls out a change to one shared service (its image or config): recreated with compose. For the
 * proxy, the live and preview targets are read first and re-asserted afterwards, then read back;
 * `reload` instead reloads the proxy in place (no restart, no connection lost) where the driver can.
 */
export async function rolloutShared(ctx: OperationContext, args: { service: string; mode: "restart" | "reload" }): Promise<OperationOutcome> {
  const { ports, config } = ctx;
  const isProxy = args.service === config.proxy.service;
  const status = await ctx.phase("preflight", () => readStatus(ports));
  const exists = status.shared.some((c) => c.service === args.service);
  if (!exists) {
    throw new EngineError("usage", `the shared project ${config.stack} has no running or stopped service "${args.service}" (it has: ${status.shared.map((c) => c.service).join(", ") || "none"})`, "nothing was changed", "name one of those services, or `bluegreen up` to start the shared services");
  }
  if (args.mode === "reload" && isProxy && !ports.proxy.reload) {
    throw new EngineError("usage", `the ${ports.proxy.name} driver cannot reload in place`, "nothing was changed", `run \`bluegreen shared restart ${args.service}\` (it comes back with its saved routing, which is read back)`);
  }
  if (args.mode === "reload" && !isProxy) {
    throw new EngineError("usage", `reload applies to the proxy (${config.proxy.service}) only; ${args.service} can be restarted`, "nothing was changed", `run \`bluegreen shared restart ${args.service}\``);
  }
  const saved = isProxy ? await proxyAnswers(ctx, 5_000).catch(() => ({ live: status.state?.active ?? null, preview: null })) : null;

  if (args.mode === "reload") {
    await ctx.phase("shared", async () => ports.proxy.reload?.(), `reloading ${ports.proxy.name} in place`);
  } else {
    await ctx.phase("shared", () => ports.platform.start("shared", { build: true, recreate: true, services: [args.service], onLine: ctx.platformLine }), `recreating ${args.service}`);
  }

  if (!isProxy || !saved) {
    await ctx.phase("health", async () => {
      const shared = await ports.platform.list("shared");
      const ids = shared.filter((c) => c.service === args.service).map((c) => c.id);
      await ports.platform.waitHealthy(ids, { timeoutMs: config.health.timeoutMs, intervalMs: config.health.intervalMs, signal: ctx.signal });
    }, `waiting for ${args.service}`);
    return { outcome: "success", message: `${args.service} was ${args.mode === "reload" ? "reloaded" : "recreated"} and runs`, from: { color: status.active, version: null }, to: { color: status.active, version: null } };
  }

  const after = await ctx.phase("switch", async () => {
    const now = await proxyAnswers(ctx);
    if (saved.live && now.live !== saved.live) {
      ctx.log("warn", `the proxy came back routing live to ${now.live ?? "nothing"}; re-asserting ${saved.live}`);
      await ports.proxy.switchLive(saved.live);
    }
    if (saved.preview && now.preview !== saved.preview) await ports.proxy.pointPreview(saved.preview);
    const back = { live: await ports.proxy.liveTarget(), preview: await ports.proxy.previewTarget() };
    if (back.live !== saved.live) throw new Error(`the proxy reads back live → ${back.live ?? "nothing"} after the ${args.mode}, not ${saved.live ?? "nothing"}`);
    return back;
  }, "reading the routing back");
  return {
    outcome: "success",
    message: `${args.service} was ${args.mode === "reload" ? "reloaded" : "recreated"}; it routes live to ${after.live ?? "nothing"} and preview to ${after.preview ?? "nothing"}, as before`,
    from: { color: saved.live, version: null },
    to: { color: after.live, version: null },
  };
}
