import { describe, expect, it } from "vitest";
import {
  backendTarget,
  describeServer,
  isEnabled,
  isServing,
  parseServersState,
} from "../../../src/proxy/haproxy-state.js";

// Real `show servers state` output of the demo proxy (HAProxy 2.6): live -> blue, preview -> green.
const HEADER =
  "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight " +
  "srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state " +
  "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port " +
  "srv_check_addr srv_agent_addr srv_agent_port";
const STATE = [
  "1",
  HEADER,
  "4 live 1 blue 172.21.0.2 2 0 1 1 7 6 3 2 6 0 0 0 app-blue 3000 - 0 0 - - 0",
  "4 live 2 green 172.21.0.3 0 5 1 1 7 1 0 0 14 0 0 0 app-green 3000 - 0 0 - - 0",
  "5 preview 1 blue - 0 37 1 1 1 1 0 0 14 0 0 0 app-blue 3000 - 0 0 - - 0",
  "5 preview 2 green 172.21.0.3 2 4 1 1 1 6 3 1 6 0 0 0 app-green 3000 - 0 0 - - 0",
  "",
].join("\n");

describe("HAProxy show servers state", () => {
  it("parses every server row by column name", () => {
    const rows = parseServersState(STATE);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({
      backend: "live",
      server: "blue",
      address: "172.21.0.2",
      opState: 2,
      adminState: 0,
      checkResult: 3,
      fqdn: "app-blue",
      port: 3000,
    });
    expect(rows[2]).toMatchObject({ backend: "preview", server: "blue", address: null, adminState: 37 });
  });

  it("finds the one enabled color per backend (config-disabled memory bit 0x04 is not maintenance)", () => {
    const rows = parseServersState(STATE);
    expect(backendTarget(rows, "live")).toBe("blue");
    expect(backendTarget(rows, "preview")).toBe("green");
    expect(isEnabled(rows[3]!)).toBe(true); // admin 4 = CMAINT only
    expect(isEnabled(rows[1]!)).toBe(false); // admin 5 = CMAINT | FMAINT
  });

  it("reports no single target in the middle of a switch or when all are in maintenance", () => {
    const both = STATE.replace("4 live 2 green 172.21.0.3 0 5", "4 live 2 green 172.21.0.3 2 4");
    expect(backendTarget(parseServersState(both), "live")).toBeNull();
    const none = STATE.replace("4 live 1 blue 172.21.0.2 2 0", "4 live 1 blue 172.21.0.2 0 1");
    expect(backendTarget(parseServersState(none), "live")).toBeNull();
  });

  it("counts an enabled server whose name does not resolve as targeted but not serving", () => {
    const unresolved = STATE.replace("4 live 1 blue 172.21.0.2 2 0", "4 live 1 blue - 0 32");
    const rows = parseServersState(unresolved);
    expect(backendTarget(rows, "live")).toBe("blue");
    expect(isServing(rows[0]!)).toBe(false);
    expect(describeServer(rows[0])).toBe("enabled, its name app-blue does not resolve, down");
    expect(isServing(parseServersState(STATE)[0]!)).toBe(true);
  });

  it("reads columns by name, so extra columns of other versions do not shift them", () => {
    const extra = ["1", `${HEADER} srv_extra`, "4 live 1 blue 10.0.0.9 2 0 1 1 7 6 3 2 6 0 0 0 app-blue 3000 - 0 0 - - 0 x"].join("\n");
    expect(parseServersState(extra)[0]).toMatchObject({ address: "10.0.0.9", opState: 2, port: 3000 });
  });

  it("throws with the answer when it is not a state dump", () => {
    expect(() => parseServersState("Unknown command.\n")).toThrow(/no header line: Unknown command/);
    expect(() => parseServersState("1\n# be_id be_name\n")).toThrow(/no column "srv_name"/);
  });

  it("describes a server that is not there", () => {
    expect(describeServer(undefined)).toBe("not in the configuration");
  });
});
