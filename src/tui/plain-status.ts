import { COLORS } from "../domain/color.js";
import type { ContainerInfo } from "../docker/types.js";
import type { StackStatus } from "../engine/status-model.js";
import { formatUptime, padEnd } from "./format.js";

function containerLine(c: ContainerInfo, now: number): string {
  const health = c.health === "none" ? "no healthcheck" : c.health;
  const up = c.state === "running" ? `up ${formatUptime(c.startedAt, now)}` : c.exitCode !== null ? `exit ${c.exitCode}` : "";
  const failing = c.health === "unhealthy" && c.lastHealthOutput ? `; last check: ${c.lastHealthOutput.replace(/\s+/g, " ").trim()}` : "";
  return [c.name, c.state, health, c.version ?? "", up, `restarts ${c.restarts}`].filter(Boolean).join("  ") + failing;
}

/**
 * What `bluegreen` with no command prints when stdout is not a terminal: the status as plain text
 * (no color, no cursor movement) and the commands to run instead of the dashboard.
 */
export function renderPlainStatus(status: StackStatus, now: number = Date.now()): string {
  const out: string[] = [];
  const live = status.active;
  out.push(`${status.stack}: live ${live ? `${live} (${status.slots[live].version ?? "unknown version"})` : "nothing"} via ${status.proxy.driver}`);
  for (const color of COLORS) {
    const slot = status.slots[color];
    const role = live === color ? "ACTIVE" : "standby";
    const summary = !slot.exists ? "no containers" : slot.healthy ? "healthy" : slot.running ? "running, not healthy" : "stopped";
    out.push(`  ${padEnd(color, 6)} ${padEnd(role, 8)} ${padEnd(slot.version ?? "-", 10)} ${summary}`);
    for (const c of slot.containers) out.push(`           ${containerLine(c, now)}`);
  }
  const p = status.proxy;
  out.push(`  proxy  ${p.driver} → ${p.target ?? "nothing"}${p.preview ? ` (preview ${p.preview})` : ""}, ${p.reachable ? "reachable" : `unreachable: ${p.detail}`}`);
  for (const c of status.shared) out.push(`           ${containerLine(c, now)}`);

  if (status.stateError) out.push(`  state file: unreadable: ${status.stateError}`);
  else if (status.state) out.push(`  state file: ${status.state.active ?? "nothing"} active${status.state.warm ? ", previous color kept warm" : ""} (by ${status.state.updatedBy} at ${status.state.updatedAt})`);
  else out.push("  state file: nothing recorded yet");
  if (p.reachable && status.state?.active && status.state.active !== live) {
    out.push(`  WARNING: the state file says ${status.state.active} is active, but the proxy routes to ${live ?? "nothing"}`);
  }
  if (status.lock) {
    const l = status.lock;
    out.push(`  lock: ${l.stale ? "STALE " : ""}${l.user}@${l.host} (pid ${l.pid}) runs \`${l.command}\` since ${l.startedAt}`);
  }
  if (status.conflicts.length > 0) {
    out.push("  conflicts:");
    for (const c of status.conflicts) {
      out.push(`    - ${c.kind}: ${c.message}`);
      out.push(`      ${c.recommend ? `recommended: keep ${c.recommend} (${c.why})` : c.kind === "proxy-down" ? `what to do: ${c.why}` : `no recommendation: ${c.why}`}`);
    }
  }
  out.push("");
  out.push("No terminal here, so no dashboard. Run one of:");
  const next: Array<[string, string]> = [
    ["bluegreen status [--json]", "this status (JSON for scripts)"],
    ["bluegreen deploy --version V", "deploy V to the standby color"],
    ["bluegreen switch", "flip live traffic to the other color"],
    ["bluegreen rollback", "back to the previous color"],
    ["bluegreen cleanup", "remove the stopped standby color"],
    ["bluegreen verify -- deploy --version V", "deploy under load, proving zero downtime"],
  ];
  if (status.conflicts.some((c) => c.kind === "proxy-down")) next.unshift(["bluegreen up", "start the shared services (the proxy) first"]);
  else if (status.conflicts.length > 0) next.unshift(["bluegreen resolve [--keep blue|green]", "settle the conflict above first"]);
  const width = Math.max(...next.map(([cmd]) => cmd.length)) + 2;
  for (const [cmd, what] of next) out.push(`  ${padEnd(cmd, width)}${what}`);
  return `${out.join("\n")}\n`;
}
