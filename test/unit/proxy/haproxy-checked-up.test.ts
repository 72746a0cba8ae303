import { describe, expect, it } from "vitest";
import { checkedUp, checkRunning } from "../../../src/proxy/haproxy.js";
import { parseServersState, type HaproxyServerState } from "../../../src/proxy/haproxy-state.js";

const HEADER =
  "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight " +
  "srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state " +
  "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port " +
  "srv_check_addr srv_agent_addr srv_agent_port";

/** live -> blue; green is in MAINT in live; `colors` rows as given (op state, admin state, check result, address). */
function state(colorsGreen: string): HaproxyServerState[] {
  return parseServersState(
    [
      "1",
      HEADER,
      "4 live 1 blue 172.21.0.2 2 0 1 1 7 6 3 2 6 0 0 0 app-blue 3000 - 0 0 - - 0",
      "4 live 2 green 172.21.0.3 0 5 1 1 7 6 3 0 14 0 0 0 app-green 3000 - 0 0 - - 0",
      "6 colors 1 blue 172.21.0.2 2 0 1 1 9 6 3 3 6 0 0 0 app-blue 3000 - 0 0 - - 0",
      colorsGreen,
      "",
    ].join("\n"),
  );
}
const liveGreen = (rows: HaproxyServerState[]) => rows.find((r) => r.backend === "live" && r.server === "green") as HaproxyServerState;

describe("the always-checked `colors` backend vouches for a color before a switch", () => {
  it("vouches when the color's copy is up, its last check passed and it has the route server's address", () => {
    const rows = state("6 colors 2 green 172.21.0.3 2 0 1 1 9 6 3 3 6 0 0 0 app-green 3000 - 0 0 - - 0");
    expect(checkedUp(rows, "green", liveGreen(rows))).toBe(true);
  });

  it("does not vouch while a check is running (srv_check_result 0): for a color just stopped, that check will fail", () => {
    const rows = state("6 colors 2 green 172.21.0.3 2 0 1 1 9 6 0 3 6 0 0 0 app-green 3000 - 0 0 - - 0");
    expect(checkedUp(rows, "green", liveGreen(rows))).toBe(false);
    expect(checkRunning(rows, "green")).toBe(true);
  });

  it("a running check is worth waiting for only on a copy that is up", () => {
    expect(checkRunning(state("6 colors 2 green 172.21.0.3 0 0 1 1 9 6 0 0 6 0 0 0 app-green 3000 - 0 0 - - 0"), "green")).toBe(false);
    expect(checkRunning(state("6 colors 2 green 172.21.0.3 2 0 1 1 9 6 3 3 6 0 0 0 app-green 3000 - 0 0 - - 0"), "green")).toBe(false);
    expect(checkRunning(state("").filter((r) => r.backend !== "colors"), "green")).toBe(false);
  });

  it("does not vouch when the last check failed, the copy is down or in maintenance", () => {
    for (const row of [
      "6 colors 2 green 172.21.0.3 2 0 1 1 9 6 2 1 6 0 0 0 app-green 3000 - 0 0 - - 0", // check failed
      "6 colors 2 green 172.21.0.3 0 0 1 1 9 6 2 0 6 0 0 0 app-green 3000 - 0 0 - - 0", // down
      "6 colors 2 green - 0 32 1 1 9 6 2 0 6 0 0 0 app-green 3000 - 0 0 - - 0", // name does not resolve
    ]) {
      const rows = state(row);
      expect(checkedUp(rows, "green", liveGreen(rows)), row).toBe(false);
    }
  });

  it("does not vouch when the copy has another address than the route's server (the color was just recreated)", () => {
    const rows = state("6 colors 2 green 172.21.0.9 2 0 1 1 9 6 3 3 6 0 0 0 app-green 3000 - 0 0 - - 0");
    expect(checkedUp(rows, "green", liveGreen(rows))).toBe(false);
  });

  it("does not vouch without a `colors` backend (an older haproxy.cfg): the switch waits for a fresh check", () => {
    const rows = state("").filter((r) => r.backend !== "colors");
    expect(checkedUp(rows, "green", liveGreen(rows))).toBe(false);
  });
});
