import { COLORS, type Color } from "../../domain/color.js";
import type { ContainerInfo } from "../../docker/types.js";
import type { StackStatus } from "../../engine/status-model.js";
import { formatUptime, padEnd } from "../../tui/format.js";
import { colorName, type Style } from "./style.js";

export interface StatusTextOptions {
  now?: number;
  /** Follow the status with the commands to run (`bluegreen` with no terminal: no dashboard to open). */
  nextSteps?: boolean;
}

/** A color name padded to `width` before it is styled (escape codes would spoil the padding). */
function paddedColor(style: Style, color: Color, width: number): string {
  return style[color](padEnd(color, width));
}

function containerLine(c: ContainerInfo, now: number): string {
  const health = c.health === "none" ? "no healthcheck" : c.health;
  const up = c.state === "running" ? `up ${formatUptime(c.startedAt, now)}` : c.exitCode !== null ? `exit ${c.exitCode}` : "";
  const failing = c.health === "unhealthy" && c.lastHealthOutput ? `; last check: ${c.lastHealthOutput.replace(/\s+/g, " ").trim()}` : "";
  return `           ${[c.name, c.node ? `on ${c.node}` : "", c.state, health, c.version ?? "", up, `restarts ${c.restarts}`].filter(Boolean).join("  ")}${failing}`;
}

function slotSummary(style: Style, slot: StackStatus["slots"][Color]): string {
  if (!slot.exists) return style.dim("no containers");
  if (slot.healthy) return style.green("healthy");
  return slot.running ? style.yellow("running, not healthy") : style.dim("stopped");
}

function stateLine(status: StackStatus, style: Style): string {
  if (status.stateError) return `  state file: ${style.red(`unreadable: ${status.stateError}`)}`;
  const st = status.state;
  if (!st) return "  state file: nothing recorded yet";
  const previous = st.previous ? `, previous ${st.previous}${st.warm ? " (kept warm)" : ""}` : "";
  return `  state file: ${st.active ?? "nothing"} active${previous}, by ${st.updatedBy} at ${st.updatedAt}`;
}

const NEXT_STEPS: Array<[string, string]> = [
  ["bluegreen status [--json]", "this status (JSON for scripts)"],
  ["bluegreen deploy --version V", "deploy V to the standby color"],
  ["bluegreen switch", "flip live traffic to the other color"],
  ["bluegreen rollback", "back to the previous color"],
  ["bluegreen cleanup", "remove the stopped standby color"],
  ["bluegreen verify -- deploy --version V", "deploy under load, proving zero downtime"],
];

function nextStepLines(status: StackStatus): string[] {
  const next = [...NEXT_STEPS];
  if (status.conflicts.some((c) => c.kind === "proxy-down")) next.unshift(["bluegreen up", "start the shared services (the proxy) first"]);
  else if (status.conflicts.length > 0) next.unshift(["bluegreen resolve [--keep blue|green]", "settle the conflict above first"]);
  const width = Math.max(...next.map(([cmd]) => cmd.length)) + 2;
  return ["", "No terminal here, so no dashboard. Run one of:", ...next.map(([cmd, what]) => `  ${padEnd(cmd, width)}${what}`)];
}

/**
 * The status as text: what `bluegreen status` prints, and `bluegreen` without a terminal (then with
 * the commands to run). Styled only when `style` is (a terminal without NO_COLOR); ends with "\n".
 */
export function renderStatusText(status: StackStatus, style: Style, opts: StatusTextOptions = {}): string {
  const now = opts.now ?? Date.now();
  const out: string[] = [];
  const live = status.active;
  const p = status.proxy;
  out.push(`${style.bold(status.stack)}: live ${live ? `${colorName(style, live)} (${status.slots[live].version ?? "unknown version"})` : "nothing"} via ${p.driver}`);
  for (const color of COLORS) {
    const slot = status.slots[color];
    const role = live === color ? style.bold(padEnd("ACTIVE", 8)) : padEnd("standby", 8);
    out.push(`  ${paddedColor(style, color, 6)} ${role} ${padEnd(slot.version ?? "-", 10)} ${slotSummary(style, slot)}`);
    for (const c of slot.containers) out.push(containerLine(c, now));
  }
  const routing = `${p.target ?? "nothing"}${p.preview ? ` (preview ${p.preview})` : ""}`;
  out.push(`  proxy  ${p.driver} → ${routing}, ${p.reachable ? "reachable" : style.red(`unreachable: ${p.detail}`)}${p.reachable && p.how ? ` (${p.how})` : ""}`);
  for (const r of p.replicas ?? []) {
    const line = r.error !== undefined ? style.red(`does not answer: ${r.error}`) : `live → ${r.live ?? "nothing"}, preview → ${r.preview ?? "nothing"}`;
    const odd = r.error !== undefined || r.live !== p.target || r.preview !== p.preview;
    out.push(`           replica on ${padEnd(r.node, 10)} ${odd ? style.yellow(line) : line}`);
  }
  if (status.shared.length === 0) out.push("           (no shared services running)");
  for (const c of status.shared) out.push(containerLine(c, now));

  out.push(stateLine(status, style));
  if (p.reachable && status.state?.active && status.state.active !== live) {
    out.push(style.yellow(`  WARNING: the state file says ${status.state.active} is active, but the proxy routes to ${live ?? "nothing"}`));
  }
  for (const d of status.degraded) out.push(style.yellow(`  WARNING: ${d}`));
  if (status.lock) {
    const l = status.lock;
    out.push(`  lock: ${l.stale ? style.yellow("STALE ") : ""}${l.user}@${l.host} (pid ${l.pid}) runs \`${l.command}\` since ${l.startedAt}`);
  }
  if (status.conflicts.length > 0) {
    out.push(style.red(`  conflicts (${status.conflicts.length}):`));
    for (const c of status.conflicts) {
      out.push(`    - ${c.kind}: ${c.message}`);
      if (c.recommend) out.push(`      recommended: keep ${c.recommend} (${c.why}): \`bluegreen resolve --keep ${c.recommend}\``);
      else out.push(`      ${c.kind === "proxy-down" ? "what to do" : "no recommendation"}: ${c.why}`);
    }
  }
  if (opts.nextSteps) out.push(...nextStepLines(status));
  return `${out.join("\n")}\n`;
}

/** The `status --json` document: stable field names for pipelines. */
export function statusJson(status: StackStatus): Record<string, unknown> {
  const slot = (c: "blue" | "green") => {
    const s = status.slots[c];
    return {
      running: s.running,
      healthy: s.healthy,
      exists: s.exists,
      version: s.version,
      since: s.since,
      containers: s.containers.map((k) => ({ name: k.name, service: k.service, ...(k.node ? { node: k.node } : {}), state: k.state, health: k.health, version: k.version, startedAt: k.startedAt, restarts: k.restarts, lastHealthOutput: k.lastHealthOutput })),
    };
  };
  return {
    stack: status.stack,
    active: status.active,
    proxy: {
      driver: status.proxy.driver,
      target: status.proxy.target,
      preview: status.proxy.preview,
      reachable: status.proxy.reachable,
      detail: status.proxy.detail,
      ...(status.proxy.replicas ? { replicas: status.proxy.replicas } : {}),
    },
    slots: { blue: slot("blue"), green: slot("green") },
    shared: status.shared.map((k) => ({ name: k.name, service: k.service, ...(k.node ? { node: k.node } : {}), state: k.state, health: k.health })),
    state: status.state,
    stateError: status.stateError,
    lock: status.lock,
    conflicts: status.conflicts.map((c) => ({ kind: c.kind, message: c.message, recommend: c.recommend, why: c.why })),
    degraded: status.degraded,
    checkedAt: status.checkedAt,
  };
}
