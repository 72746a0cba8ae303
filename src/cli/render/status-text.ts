import { COLORS } from "../../domain/color.js";
import type { ContainerInfo } from "../../docker/types.js";
import type { StackStatus } from "../../engine/status-model.js";
import { colorName, type Style } from "./style.js";

function since(iso: string | null, now: number): string {
  if (!iso) return "-";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

function containerLine(c: ContainerInfo, now: number): string {
  const health = c.health === "none" ? "" : ` ${c.health}`;
  const fail = c.health === "unhealthy" && c.lastHealthOutput ? ` — ${c.lastHealthOutput.split("\n")[0]?.slice(0, 80)}` : "";
  return `    ${c.name}  ${c.state}${health}  ${c.version ?? ""}  up ${since(c.startedAt, now)}  restarts ${c.restarts}${fail}`;
}

/** The plain-text status an operator reads in a terminal or a CI log. */
export function renderStatusText(status: StackStatus, style: Style, now = Date.now()): string {
  const lines: string[] = [];
  lines.push(style.bold(`stack ${status.stack}`) + `  live: ${colorName(style, status.active)}` + `  (proxy ${status.proxy.driver}: ${status.proxy.detail})`);
  for (const color of COLORS) {
    const slot = status.slots[color];
    const mark = status.active === color ? style.bold(" ACTIVE") : "";
    const health = slot.healthy ? style.green("healthy") : slot.running ? style.yellow("running, not healthy") : slot.exists ? style.dim("stopped") : style.dim("absent");
    lines.push(`  ${colorName(style, color)}${mark}: ${health}  version ${slot.version ?? "-"}${slot.since ? `  since ${slot.since}` : ""}`);
    for (const c of slot.containers) lines.push(containerLine(c, now));
  }
  lines.push(`  shared:`);
  if (status.shared.length === 0) lines.push("    (no shared services running)");
  for (const c of status.shared) lines.push(containerLine(c, now));
  const st = status.state;
  lines.push(
    `  state file: ${status.stateError ? style.red(status.stateError) : st ? `active ${st.active ?? "-"}, previous ${st.previous ?? "-"}${st.warm ? " (kept warm)" : ""}, by ${st.updatedBy} at ${st.updatedAt}` : "nothing recorded yet"}`,
  );
  if (status.lock) {
    const l = status.lock;
    lines.push(`  lock: ${l.stale ? style.yellow("STALE ") : ""}${l.user}@${l.host} pid ${l.pid} \`${l.command}\` since ${l.startedAt}`);
  }
  if (status.conflicts.length > 0) {
    lines.push(style.red(`  conflicts (${status.conflicts.length}):`));
    for (const c of status.conflicts) {
      lines.push(`    - ${c.kind}: ${c.message}`);
      if (c.recommend) lines.push(`      recommended: keep ${c.recommend} (${c.why}) — \`bluegreen resolve --keep ${c.recommend}\``);
      else if (c.kind === "proxy-down") lines.push(`      what to do: ${c.why}`);
    }
  }
  return lines.join("\n");
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
      containers: s.containers.map((k) => ({ name: k.name, service: k.service, state: k.state, health: k.health, version: k.version, startedAt: k.startedAt, restarts: k.restarts, lastHealthOutput: k.lastHealthOutput })),
    };
  };
  return {
    stack: status.stack,
    active: status.active,
    proxy: { driver: status.proxy.driver, target: status.proxy.target, preview: status.proxy.preview, reachable: status.proxy.reachable, detail: status.proxy.detail },
    slots: { blue: slot("blue"), green: slot("green") },
    shared: status.shared.map((k) => ({ name: k.name, service: k.service, state: k.state, health: k.health })),
    state: status.state,
    stateError: status.stateError,
    lock: status.lock,
    conflicts: status.conflicts.map((c) => ({ kind: c.kind, message: c.message, recommend: c.recommend, why: c.why })),
    checkedAt: status.checkedAt,
  };
}
