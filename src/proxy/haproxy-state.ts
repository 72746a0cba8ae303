import type { Color } from "../domain/color.js";
import { isColor } from "../domain/color.js";

/** One row of HAProxy's `show servers state` (the format of its server-state file). */
export interface HaproxyServerState {
  backend: string;
  server: string;
  /** Resolved address, or null while the name does not resolve ("-"). */
  address: string | null;
  /** 0 stopped, 1 starting, 2 running, 3 stopping. */
  opState: number;
  /** Bit field, see ADMIN_* below. */
  adminState: number;
  /** 0 unknown, 1 neutral, 2 failed, 3 passed, 4 conditionally passed. */
  checkResult: number;
  fqdn: string | null;
  port: number | null;
}

/** srv_admin_state bits (HAProxy's SRV_ADMF_*). */
export const ADMIN_FORCED_MAINT = 0x01; // set by `state maint` or `disabled`
export const ADMIN_INHERITED_MAINT = 0x02; // tracked server in maint
export const ADMIN_CONFIG_MAINT = 0x04; // `disabled` in the config: memory only, not itself maint
export const ADMIN_RESOLUTION_MAINT = 0x20; // the name does not resolve
export const ADMIN_HOST_MAINT = 0x40;
/** HAProxy's SRV_ADMF_MAINT: any maintenance flag except the config memory bit. */
export const ADMIN_ANY_MAINT = 0x63;

export const OP_RUNNING = 2;
export const CHECK_FAILED = 2;

/**
 * Parses the output of `show servers state [backend]`: a version line ("1"), a header line
 * ("# be_id be_name srv_id srv_name …") and one space-separated row per server. Columns are
 * found by their header names, so HAProxy versions that add columns still parse.
 */
export function parseServersState(text: string): HaproxyServerState[] {
  const lines = text.split("\n").map((line) => line.trim());
  const headerLine = lines.find((line) => line.startsWith("#"));
  if (headerLine === undefined) {
    throw new Error(`HAProxy's "show servers state" answer has no header line: ${text.trim().slice(0, 200)}`);
  }
  const columns = headerLine.replace(/^#\s*/, "").split(/\s+/);
  const at = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`HAProxy's "show servers state" has no column "${name}" (header: ${headerLine})`);
    return index;
  };
  const index = {
    backend: at("be_name"),
    server: at("srv_name"),
    address: at("srv_addr"),
    opState: at("srv_op_state"),
    adminState: at("srv_admin_state"),
    checkResult: at("srv_check_result"),
    fqdn: columns.indexOf("srv_fqdn"),
    port: columns.indexOf("srv_port"),
  };
  const rows: HaproxyServerState[] = [];
  for (const line of lines) {
    if (line === "" || line.startsWith("#") || /^\d+$/.test(line)) continue;
    const fields = line.split(/\s+/);
    const field = (i: number): string | undefined => (i >= 0 ? fields[i] : undefined);
    const backend = field(index.backend);
    const server = field(index.server);
    if (backend === undefined || server === undefined) continue;
    const address = field(index.address);
    const fqdn = field(index.fqdn);
    const port = Number(field(index.port));
    rows.push({
      backend,
      server,
      address: address === undefined || address === "-" || address === "0.0.0.0" ? null : address,
      opState: Number(field(index.opState)),
      adminState: Number(field(index.adminState)),
      checkResult: Number(field(index.checkResult)),
      fqdn: fqdn === undefined || fqdn === "-" ? null : fqdn,
      port: Number.isFinite(port) && port > 0 ? port : null,
    });
  }
  return rows;
}

/** Not put in maintenance by an operator or bluegreen: the server takes traffic when it is up. */
export function isEnabled(server: HaproxyServerState): boolean {
  return (server.adminState & (ADMIN_FORCED_MAINT | ADMIN_INHERITED_MAINT | ADMIN_HOST_MAINT)) === 0;
}

/** Enabled, resolved and running: new requests can go to it. */
export function isServing(server: HaproxyServerState): boolean {
  return (server.adminState & ADMIN_ANY_MAINT) === 0 && server.address !== null && server.opState === OP_RUNNING;
}

/**
 * The color a backend routes to: the one enabled server among `blue` / `green`; null when none
 * or both are enabled (in the middle of a switch, or set by hand).
 */
export function backendTarget(states: HaproxyServerState[], backend: string): Color | null {
  const enabled = states.filter((s) => s.backend === backend && isColor(s.server) && isEnabled(s));
  const only = enabled.length === 1 ? enabled[0]?.server : undefined;
  return isColor(only) ? only : null;
}

/** A one-line description of a server for error messages. */
export function describeServer(server: HaproxyServerState | undefined): string {
  if (server === undefined) return "not in the configuration";
  const parts = [
    isEnabled(server) ? "enabled" : "in maintenance",
    server.address === null ? `its name ${server.fqdn ?? ""} does not resolve` : `address ${server.address}`,
    server.opState === OP_RUNNING ? "up" : "down",
  ];
  if (server.checkResult === CHECK_FAILED) parts.push("health check failing");
  return parts.join(", ");
}
