import type { Config } from "../config/types.js";
import { type Color, otherColor } from "../domain/color.js";
import { ProxyChangeRejected, RouteDriver } from "./driver.js";
import { describeError, ProxyControlError } from "./errors.js";
import { socketChannel, type HaproxyChannel } from "./haproxy-channel.js";
import {
  backendTarget,
  CHECK_FAILED,
  describeServer,
  type HaproxyServerState,
  isEnabled,
  isServing,
  parseServersState,
} from "./haproxy-state.js";
import { sleep } from "./poll.js";

export type HaproxyRoute = "live" | "preview";

export interface HaproxyDriverOptions {
  /** How long a newly enabled server may take to resolve and come up before the switch is undone. */
  upTimeoutMs?: number;
  /** How this HAProxy is reached (default: the admin socket in proxy.runDir); a swarm replica is reached through its node's Docker API. */
  channel?: HaproxyChannel;
}

/**
 * HAProxy: backends `live` and `preview`, each with servers `blue` and `green`, exactly one of them
 * enabled. A switch goes through the runtime API on <runDir>/haproxy-admin.sock without a reload:
 * enable the new server, wait until it is resolved and up, then put the old one in maintenance.
 * Client connections are never closed, which is why HAProxy switches lose no request. The server
 * states are then saved to <runDir>/haproxy/server-state, which HAProxy loads when it starts.
 * Server addresses come from haproxy.cfg (app-blue:3000 / app-green:3000), not from proxy.upstream.
 *
 * Speed: a server in maintenance is not checked, so a freshly enabled one would have to wait for a
 * new check (up to a check interval). The backend `colors` (no frontend routes to it) checks both
 * colors all the time; when it reports the new color up, with a passing check, at the same address,
 * the new server is enabled already up and the switch takes a few socket round trips. Otherwise
 * (no `colors` backend, color down or just re-resolved) it is enabled down and must pass a fresh check.
 */
export class HaproxyDriver extends RouteDriver {
  readonly name = "haproxy" as const;
  private readonly upTimeoutMs: number;
  private readonly channel: HaproxyChannel;

  constructor(config: Pick<Config, "proxy">, options: HaproxyDriverOptions = {}) {
    super();
    this.channel = options.channel ?? socketChannel(config.proxy.runDir);
    this.upTimeoutMs = options.upTimeoutMs ?? 3000;
  }

  /** Where the runtime API is (the admin socket, on one host). */
  get adminSocket(): string {
    return this.channel.where;
  }

  /** Where the server states are saved (a file, on one host). */
  get stateFile(): string {
    return this.channel.stateWhere;
  }

  protected async routeTarget(route: HaproxyRoute): Promise<Color | null> {
    return backendTarget(await this.states(route), route);
  }

  /** Both routes from one read of every backend's servers (status asks for both). */
  async targets(): Promise<{ live: Color | null; preview: Color | null }> {
    const rows = await this.states();
    return { live: backendTarget(rows, "live"), preview: backendTarget(rows, "preview") };
  }

  protected async describeControl(): Promise<string> {
    const info = await this.command("show info", "");
    const version = /^Version:\s*(.+)$/m.exec(info)?.[1] ?? "unknown version";
    const uptime = /^Uptime:\s*(.+)$/m.exec(info)?.[1] ?? "?";
    return `HAProxy runtime API ${this.adminSocket} answers: ${version}, up ${uptime}`;
  }

  /** Server rows of one backend (or all), as the running HAProxy reports them. */
  async states(backend?: HaproxyRoute): Promise<HaproxyServerState[]> {
    return (await this.readStates(backend)).rows;
  }

  /** The rows and the raw answer (the raw answer of all backends is what the state file holds). */
  private async readStates(backend?: HaproxyRoute): Promise<{ rows: HaproxyServerState[]; text: string }> {
    const text = await this.command(backend ? `show servers state ${backend}` : "show servers state", "The routing in force is unknown from here.");
    try {
      return { rows: parseServersState(text), text };
    } catch (error) {
      throw new ProxyControlError(
        `${describeError(error)}. The routing in force is unknown. Check that the proxy runs bluegreen's haproxy.cfg.`,
        text,
      );
    }
  }

  protected async route(route: HaproxyRoute, color: Color): Promise<void> {
    const old = otherColor(color);
    let all = await this.states();
    const before = all.filter((s) => s.backend === route);
    const server = (name: Color, rows: HaproxyServerState[]) => rows.find((s) => s.backend === route && s.server === name);
    if (!server(color, before) || !server(old, before)) {
      throw new ProxyControlError(
        `HAProxy backend "${route}" lacks server "${color}" or "${old}" (it has: ${before.map((s) => s.server).join(", ") || "none"}). ` +
          `Nothing was changed. The proxy must run bluegreen's haproxy.cfg (servers blue and green in backends live and preview).`,
        JSON.stringify(before),
      );
    }
    const wasTarget = backendTarget(before, route);
    const now = `${route} still goes to ${wasTarget ?? "an unknown color"}`;
    const newWasEnabled = isEnabled(server(color, before) as HaproxyServerState);

    if (!(wasTarget === color && isServing(server(color, before) as HaproxyServerState))) {
      // 1. Enable the new color next to the old one. HAProxy does not check servers in maintenance,
      //    so the server's own last check result may be stale (the container may be gone): unless
      //    the always-checked `colors` backend vouches for the color right now, it is marked down
      //    and takes requests only once a fresh check passes. Then, for a moment, both colors do.
      let vouched = checkedUp(all, color, server(color, before) as HaproxyServerState);
      // A check of the `colors` copy running right now (~2 % of reads) says neither yes nor no, and
      // for a color just stopped it is the one that will fail: wait for its answer (at most a check
      // interval plus its timeout) rather than for a fresh check of the route's server (~0.75 s).
      for (const until = Date.now() + 250; !vouched && checkRunning(all, color) && Date.now() < until; ) {
        await sleep(10);
        all = await this.states();
        vouched = checkedUp(all, color, server(color, all) as HaproxyServerState);
      }
      try {
        await this.set(route, color, ["state ready", vouched ? "health up" : "health down"], now);
      } catch (error) {
        // The first half may have been applied: put the server back as it was.
        if (!newWasEnabled) await this.set(route, color, ["state maint"], now).catch(() => undefined);
        throw error;
      }

      // 2. Wait until it resolves and a check passes; otherwise undo, so the old color keeps all traffic.
      const deadline = Date.now() + this.upTimeoutMs;
      let current = server(color, await this.states(route));
      while (!(current && isServing(current) && current.checkResult !== CHECK_FAILED) && Date.now() < deadline) {
        await sleep(20);
        current = server(color, await this.states(route));
      }
      if (!(current && isServing(current) && current.checkResult !== CHECK_FAILED)) {
        if (!newWasEnabled) await this.set(route, color, ["state maint"], now);
        throw new ProxyChangeRejected(
          `HAProxy server ${route}/${color} did not come up within ${this.upTimeoutMs} ms (${describeServer(current)}), ` +
            `so the switch was undone: ${now}. Make sure the ${color} color is running, healthy and on the proxy's ` +
            `network (its name must resolve through Docker's DNS), then retry.`,
          describeServer(current),
        );
      }
    }

    // 3. The old color takes no new requests; those in flight on it finish.
    if (isEnabled(server(old, before) as HaproxyServerState)) {
      await this.set(route, old, ["state maint"], `${route} goes to both ${color} and ${old}`);
    }

    const { rows: after, text } = await this.readStates();
    await this.saveState(text, after, route, color);
    const target = backendTarget(after, route);
    if (target !== color) {
      throw new ProxyControlError(
        `HAProxy was told to send ${route} to ${color} but now reports ${target ?? "no single color"} ` +
          `(${color}: ${describeServer(server(color, after))}; ${old}: ${describeServer(server(old, after))}). ` +
          `Something else changed the servers at the same time; check "show servers state ${route}" and retry.`,
        JSON.stringify(after.filter((s) => s.backend === route)),
      );
    }
  }

  /** Saved after every change so that a restarted HAProxy loads the same routing. */
  private async saveState(text: string, states: HaproxyServerState[], route: HaproxyRoute, color: Color): Promise<void> {
    try {
      await this.channel.saveState(text.endsWith("\n") ? text : `${text}\n`);
    } catch (error) {
      throw new ProxyControlError(
        `HAProxy now sends ${route} to ${color}, but saving its server state to ${this.stateFile} failed: ` +
          `${describeError(error)}. A restarted proxy would come back with its previous routing. ` +
          `Fix the run directory's permissions/space and repeat the switch (it is idempotent).`,
        JSON.stringify(states.length),
      );
    }
  }

  /** `set server <route>/<color> <change>` for each change, in one request (applied back to back). */
  private async set(route: HaproxyRoute, color: Color, changes: string[], now: string): Promise<void> {
    const command = changes.map((change) => `set server ${route}/${color} ${change}`).join("; ");
    const answer = (await this.command(command, `Before "${command}": ${now}.`)).trim();
    if (answer !== "") {
      throw new ProxyChangeRejected(
        `HAProxy refused "${command}": ${answer}. ${now}. Check the proxy's haproxy.cfg (backend ${route}, server ${color}), then retry.`,
        answer,
      );
    }
  }

  private async command(command: string, state: string): Promise<string> {
    try {
      return await this.channel.command(command);
    } catch (error) {
      throw new ProxyControlError(
        `Cannot use HAProxy's runtime API on ${this.channel.where} ("${command}"): ${describeError(error)}. ${state} ` + this.channel.hint,
        describeError(error),
      );
    }
  }
}

/** srv_check_result of a passed check (HAProxy's CHK_RES_PASSED). */
const CHECK_PASSED = 3;
/** srv_check_result while a check is running (CHK_RES_UNKNOWN): ~2 % of reads at a 100 ms interval. */
const CHECK_RUNNING = 0;

/** Pure: is a check of the `colors` copy of `color` running right now, on a copy that is up? */
export function checkRunning(all: HaproxyServerState[], color: Color): boolean {
  const checked = checkedCopy(all, color);
  return checked !== undefined && isServing(checked) && checked.checkResult === CHECK_RUNNING;
}

/** Backend of haproxy.cfg whose servers check both colors all the time; no frontend routes to it. */
export const CHECKED_COLORS_BACKEND = "colors";

/** The `colors` backend's server of `color`, if the config has one. */
function checkedCopy(all: HaproxyServerState[], color: Color): HaproxyServerState | undefined {
  return all.find((s) => s.backend === CHECKED_COLORS_BACKEND && s.server === color);
}

/**
 * Pure: does the `colors` backend vouch that `color` accepts connections right now: its copy is
 * enabled, resolved, up, its last check passed, and it has the address the route's server has?
 * A check still running is no answer (see checkRunning): for a color just stopped it hangs until
 * its timeout and then fails.
 */
export function checkedUp(all: HaproxyServerState[], color: Color, routeServer: HaproxyServerState): boolean {
  const checked = checkedCopy(all, color);
  return (
    checked !== undefined &&
    isServing(checked) &&
    checked.checkResult === CHECK_PASSED &&
    routeServer.address !== null &&
    checked.address === routeServer.address
  );
}
