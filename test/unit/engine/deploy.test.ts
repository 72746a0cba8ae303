import { describe, expect, it } from "vitest";
import { PlatformFault } from "../../../src/domain/platform-fault.js";
import { combineVerdicts } from "../../../src/engine/steps.js";
import { FakeStack, recorder } from "../../fakes/index.js";
import { eventsOf, phaseStatus, phaseTrail, runOperation } from "./event-checks.js";

/** blue v1 serves live traffic; green has never been deployed. */
function liveBlue(overrides: Parameters<typeof FakeStack.seeded>[1] = {}): FakeStack {
  return FakeStack.seeded({ live: "blue", blue: { version: "v1" } }, overrides);
}

function deploy(stack: FakeStack, version: string, opts: Parameters<typeof recorder>[0] = {}) {
  return runOperation((h) => stack.engine.deploy({ version }, h), opts);
}

describe("deploy: the happy paths", () => {
  it("puts the first release on blue and starts the shared services when the proxy is not running", async () => {
    const stack = new FakeStack();
    const { result } = await deploy(stack, "v1");

    expect(result).toMatchObject({ operation: "deploy", outcome: "success", active: "blue", from: { color: null, version: null }, to: { color: "blue", version: "v1" } });
    expect(phaseTrail(result)).toEqual(["preflight:ok", "shared:ok", "build:ok", "start:ok", "health:ok", "preview:ok", "smoke:ok", "confirm:ok", "switch:ok", "verify:ok"]);
    expect(stack.compose.calls.map((c) => `${c.verb} ${c.project}`)).toEqual(["up shop", "build shop-blue", "up shop-blue"]);
    expect(stack.proxy.live).toBe("blue");
    expect(stack.state.current).toMatchObject({ active: "blue", previous: null, versions: { blue: "v1" }, warm: false });
  });

  it("deploys blue→green through every phase in order, then drains and stops blue", async () => {
    const stack = liveBlue();
    const { result } = await deploy(stack, "v2");

    expect(result.outcome).toBe("success");
    expect(phaseTrail(result)).toEqual([
      "preflight:ok",
      "shared:skipped",
      "build:ok",
      "start:ok",
      "health:ok",
      "preview:ok",
      "smoke:ok",
      "confirm:ok",
      "switch:ok",
      "verify:ok",
      "drain:ok",
      "stop:ok",
    ]);
    expect(result).toMatchObject({ active: "green", from: { color: "blue", version: "v1" }, to: { color: "green", version: "v2" } });
    expect(result.message).toBe("green (v2) is live; blue (v1) was drained and stopped");
    expect(stack.stateOf("green")).toBe("running");
    expect(stack.versionOf("green")).toBe("v2");
    expect(stack.stateOf("blue")).toBe("stopped");
    expect(stack.state.current).toMatchObject({ active: "green", previous: "blue", versions: { blue: "v1", green: "v2" }, warm: false });
  });

  it("passes the version to compose and smoke-tests the new color through the preview route", async () => {
    const stack = liveBlue();
    await deploy(stack, "v2");
    const up = stack.compose.calls.find((c) => c.verb === "up");
    expect(up).toMatchObject({ project: "shop-green", files: ["/srv/shop/compose.green.yml"], opts: { recreate: true } });
    expect(up?.env).toMatchObject({ BLUEGREEN_VERSION: "v2", PROXY_PORT: "18080" });
    expect(stack.smoke.runs).toEqual([{ baseUrl: "http://127.0.0.1:18081", expectVersion: "v2", expectColor: "green" }]);
    expect(stack.proxy.preview).toBe("green");
  });

  it("keeps the old color running warm when keepOldWarm is set, and the stack shows no conflict", async () => {
    const stack = liveBlue({ keepOldWarm: true });
    const { result } = await deploy(stack, "v2");
    expect(phaseStatus(result, "drain")).toBe("skipped");
    expect(phaseStatus(result, "stop")).toBe("skipped");
    expect(result.message).toBe("green (v2) is live; blue (v1) is kept warm for rollback");
    expect(stack.stateOf("blue")).toBe("running");
    expect(stack.state.current).toMatchObject({ active: "green", previous: "blue", warm: true });
    expect((await stack.engine.status()).conflicts).toEqual([]);
  });

  it("waits for the old color's open connections to reach zero before stopping it", async () => {
    const stack = liveBlue();
    stack.connections.readings.blue.push(3, 2, 1, 0);
    const { result, events } = await deploy(stack, "v2");
    expect(eventsOf(events, "drain-progress").map((e) => e.connections)).toEqual([3, 2, 1, 0]);
    expect(stack.connections.asked[0]).toEqual({ containers: ["shop-blue_app-blue_1"], port: 3000 });
    expect(result.phases.find((p) => p.phase === "drain")?.ms).toBe(750);
    expect(stack.stateOf("blue")).toBe("stopped");
  });

  it("stops the old color after the drain timeout even with connections left, and says so", async () => {
    const stack = liveBlue();
    stack.connections.readings.blue.push(...Array.from({ length: 100 }, () => 4));
    const { result, events } = await deploy(stack, "v2");
    expect(result.outcome).toBe("success");
    expect(result.phases.find((p) => p.phase === "drain")?.ms).toBe(10_000);
    expect(eventsOf(events, "log").some((e) => e.level === "warn" && e.message.includes("blue still had 4 open connections"))).toBe(true);
    expect(stack.stateOf("blue")).toBe("stopped");
  });

  it("skips smoke without a spec and verify when its duration is 0", async () => {
    const stack = liveBlue({ smoke: { spec: null, expectVersionHeader: null }, verify: { durationMs: 0, intervalMs: 100, path: "/", method: "GET", urls: [] } });
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("success");
    expect(phaseStatus(result, "smoke")).toBe("skipped");
    expect(phaseStatus(result, "verify")).toBe("skipped");
    expect(stack.smoke.runs).toEqual([]);
  });

  it("asks before the switch with the facts an operator needs", async () => {
    const stack = liveBlue();
    const { events, questions } = await deploy(stack, "v2");
    const [confirm] = eventsOf(events, "confirm");
    expect(confirm?.request).toEqual(questions[0]);
    expect(confirm?.request.question).toBe("Switch live traffic to green (v2)?");
    expect(confirm?.request.facts).toEqual([
      ["now live", "blue (v1)"],
      ["standby", "green (v2), healthy"],
      ["smoke", "3/3 checks passed through the preview route"],
      ["after", "drain and stop blue"],
    ]);
    expect(eventsOf(events, "smoke-check")).toHaveLength(3);
    expect(eventsOf(events, "verify-progress").at(-1)).toEqual({ type: "verify-progress", requests: 20, failures: 0, colors: { green: 20 } });
  });

  it("appends the run to the history with its phases, smoke, verify and outcome", async () => {
    const stack = liveBlue();
    await deploy(stack, "v2");
    expect(stack.history.entries).toHaveLength(1);
    const [entry] = stack.history.entries;
    expect(entry).toMatchObject({
      user: "alice",
      host: "build-01",
      command: "deploy --version v2",
      operation: "deploy",
      from: { color: "blue", version: "v1" },
      to: { color: "green", version: "v2" },
      smoke: { ok: true, checks: 3, failed: 0 },
      verify: { ok: true, requests: 20, failures: 0 },
      outcome: "success",
      error: null,
    });
    expect(Object.keys(entry?.phases ?? {})).toEqual(["preflight", "shared", "build", "start", "health", "preview", "smoke", "confirm", "switch", "verify", "drain", "stop"]);
  });

  it("holds the lock for the whole run and releases it", async () => {
    const stack = liveBlue();
    let heldDuringBuild = false;
    await deploy(stack, "v2", { onEvent: (e) => void (e.type === "phase" && e.phase === "build" && (heldDuringBuild = stack.lock.held?.command === "deploy --version v2")) });
    expect(heldDuringBuild).toBe(true);
    expect(stack.lock.acquisitions).toBe(1);
    expect(stack.lock.releases).toBe(1);
    expect(stack.lock.held).toBeNull();
    expect(stack.docker.openSubscriptions).toBe(0);
  });
});

describe("deploy: a bad release never takes live traffic", () => {
  it("never switches to an unhealthy release, stops it, and shows its last log lines", async () => {
    const stack = liveBlue();
    stack.scripts.green.failure = "unhealthy";
    const { result } = await deploy(stack, "v2");

    expect(result.outcome).toBe("failed");
    expect(result.error?.kind).toBe("failed");
    expect(phaseStatus(result, "health")).toBe("failed");
    expect(phaseStatus(result, "switch")).toBeUndefined();
    expect(stack.proxy.switches).toEqual([]);
    expect(result.active).toBe("blue");
    expect(stack.stateOf("green")).toBe("stopped");
    expect(stack.stateOf("blue")).toBe("running");
    expect(result.message).toContain("green v2 did not become healthy");
    expect(result.message).toContain("Error: connect ECONNREFUSED redis:6379");
    expect(result.stateNow).toBe("blue (v1) still serves all live traffic; green has been stopped");
    expect(result.nextStep).toMatch(/fix the release and deploy again/);
    expect(stack.state.writes).toEqual([]);
  });

  it("reports a release that crashes on start with its exit code and logs", async () => {
    const stack = liveBlue();
    stack.scripts.green.failure = "crash-on-start";
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("exited with code 1");
    expect(result.message).toContain("Cannot find module '/app/server.js'");
    expect(stack.proxy.switches).toEqual([]);
  });

  it("reports a compose failure while starting and leaves the old color serving", async () => {
    const stack = liveBlue();
    stack.compose.failNext("up", "shop-green", "port is already allocated");
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("failed");
    expect(phaseStatus(result, "start")).toBe("failed");
    expect(result.message).toContain("green v2 could not be built or started");
    expect(result.message).toContain("port is already allocated");
    expect(stack.compose.calls.at(-1)).toMatchObject({ verb: "stop", project: "shop-green" });
    expect(stack.proxy.live).toBe("blue");
  });

  it("a platform fault under the release (a node lost) says so and gives the platform's next step, not 'fix the release'", async () => {
    const stack = liveBlue();
    const platform = stack.ports.platform;
    platform.start = async () => {
      throw new PlatformFault("swarm node bgl-node3 is lost: stack shop-green cannot finish rolling out", "bring the engine of bgl-node3 back, or drain it, then deploy again");
    };
    platform.stop = async () => {
      throw new Error("stopping shop-green: not done within 70 s");
    };
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("green v2 could not be built or started: swarm node bgl-node3 is lost");
    expect(result.nextStep).toBe("bring the engine of bgl-node3 back, or drain it, then deploy again");
    // The stop failed too: the state says so instead of claiming green was stopped.
    expect(result.stateNow).toBe("blue (v1) still serves all live traffic; green could not be stopped (see the warning above) and takes no live traffic");
    expect(stack.proxy.switches).toEqual([]);
  });

  it("does not switch when the smoke test fails, and stops the new color", async () => {
    const stack = liveBlue();
    stack.scripts.green.failure = "error-rate";
    const { result, events } = await deploy(stack, "v2");
    expect(result.outcome).toBe("failed");
    expect(phaseStatus(result, "smoke")).toBe("failed");
    expect(result.message).toContain("3 of 3 smoke checks failed");
    expect(result.message).toContain("expected HTTP 200, got 500");
    expect(eventsOf(events, "smoke-check").every((e) => !e.check.ok)).toBe(true);
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.stateOf("green")).toBe("stopped");
    expect(stack.stateOf("blue")).toBe("running");
  });

  it("stops the new color and reports 'declined' when the switch is not confirmed", async () => {
    const stack = liveBlue();
    const { result } = await deploy(stack, "v2", { answer: false });
    expect(result.outcome).toBe("declined");
    expect(result.error?.kind).toBe("declined");
    expect(result.stateNow).toBe("blue (v1) still serves all live traffic; green has been stopped");
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.stateOf("green")).toBe("stopped");
    expect(stack.history.entries[0]?.outcome).toBe("declined");
  });

  it("counts a confirmer that cannot ask as a no, and still stops the new color", async () => {
    const stack = liveBlue();
    const { result, events } = await deploy(stack, "v2", { confirmFails: "no terminal to ask on: pass --yes to deploy without a question" });
    expect(result.outcome).toBe("declined");
    expect(phaseStatus(result, "confirm")).toBe("failed");
    expect(eventsOf(events, "log").some((e) => e.level === "warn" && e.message.includes("no terminal to ask on"))).toBe(true);
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.stateOf("green")).toBe("stopped");
  });

  it("leaves the old color serving when the proxy rejects the switch", async () => {
    const stack = liveBlue();
    stack.proxy.rejectNextSwitch = "nginx: [emerg] host not found in upstream";
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("failed");
    expect(result.message).toContain("the proxy switch to green failed");
    expect(result.active).toBe("blue");
    expect(stack.stateOf("green")).toBe("stopped");
    expect(stack.state.writes).toEqual([]);
  });
});

describe("deploy: verification after the switch", () => {
  it("verifies through every verify.urls entry beside proxy.live at once; one nothing answered on is named and left out", async () => {
    const verify = { durationMs: 1_000, intervalMs: 100, path: "/", method: "GET" as const };
    // Both through the live route (as each swarm node's proxy would be): one verdict over both.
    const good = liveBlue({ verify: { ...verify, urls: ["http://127.0.0.1:18080/node2"] } });
    const ok = await deploy(good, "v2");
    expect(ok.result.outcome).toBe("success");
    expect(good.live.urls.map((u) => u.url)).toEqual(expect.arrayContaining(["http://127.0.0.1:18080/", "http://127.0.0.1:18080/node2/"]));
    // One where no request connected at all (a lost node's proxy): a warning naming it, not a rollback.
    const lost = liveBlue({ verify: { ...verify, urls: ["http://127.0.0.1:28080"] } });
    const { result, events } = await deploy(lost, "v2");
    expect(result.outcome).toBe("success");
    expect(eventsOf(events, "log").map((e) => e.message)).toContain("verify: nothing answered through http://127.0.0.1:28080 (fake proxy: http://127.0.0.1:28080/ is neither the live nor the preview route): left out of the verdict");
  });

  it("one verdict from several URLs names each one that failed", () => {
    const pass = { ok: true, requests: 10, failures: 0, reason: "10 requests, all from green" };
    const fail = { ok: false, requests: 10, failures: 3, reason: "3 of 10 requests failed (first: HTTP 502)" };
    expect(combineVerdicts([{ url: "http://a", verdict: pass }, { url: "http://b", verdict: fail }], "green")).toEqual({ ok: false, requests: 20, failures: 3, reason: "through http://b: 3 of 10 requests failed (first: HTTP 502)" });
    expect(combineVerdicts([{ url: "http://a", verdict: pass }, { url: "http://b", verdict: pass }], "green")).toEqual({ ok: true, requests: 20, failures: 0, reason: "20 requests through 2 live URLs, all from green" });
    expect(combineVerdicts([{ url: "http://a", verdict: fail }], "green")).toBe(fail);
  });

  it("switches back at once when the new color dies under live traffic", async () => {
    const stack = liveBlue();
    stack.scripts.green.failure = "crash-after-switch";
    const { result, events } = await deploy(stack, "v2");

    expect(result.outcome).toBe("rolled-back");
    // The verify that found the release dead is a failed phase, then the switch back.
    expect(phaseTrail(result).slice(-3)).toEqual(["switch:ok", "verify:failed", "rollback-switch:ok"]);
    const verifyEnd = eventsOf(events, "phase").find((e) => e.phase === "verify" && e.status !== "start");
    expect(verifyEnd).toMatchObject({ status: "failed" });
    expect(verifyEnd?.detail).toContain("shop-green_app-green_1: die");
    expect(stack.proxy.switches).toEqual(["green", "blue"]);
    expect(result.active).toBe("blue");
    // The die event cuts verification short: one live request, not the whole 2 s window.
    expect(stack.network.requests.filter((r) => r.url === "http://127.0.0.1:18080/")).toHaveLength(1);
    expect(result.phases.find((p) => p.phase === "verify")?.ms).toBeLessThan(stack.config.verify.durationMs);
    expect(result.message).toContain("switched back to blue at once");
    expect(result.message).toContain("shop-green_app-green_1: die");
    expect(result.message).toContain("FATAL: out of memory under live traffic");
    expect(stack.stateOf("green")).toBe("stopped");
    expect(stack.stateOf("blue")).toBe("running");
    expect(stack.state.current).toMatchObject({ active: "blue", warm: false });
    expect(stack.history.entries[0]).toMatchObject({ outcome: "rolled-back", verify: { ok: false }, failedPhases: ["verify"] });
    expect(stack.history.entries[0]?.error).toContain("verification through the live route failed");
  });

  it("without a smoke spec, switches only once the proxy reaches the new color through the preview route", async () => {
    const stack = liveBlue({ smoke: { spec: null, expectVersionHeader: null } });
    stack.network.unreachable.green = 2;
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("success");
    const green = stack.network.requests.filter((r) => r.response.color === "green").map((r) => `${r.url.startsWith("http://127.0.0.1:18081") ? "preview" : "live"} ${r.response.status}`);
    expect(green.slice(0, 5)).toEqual(["preview 502", "preview 502", "preview 200", "preview 200", "preview 200"]);
    expect(green.slice(5).every((r) => r === "live 200")).toBe(true);
  });

  it("switches back when live requests fail after the switch", async () => {
    const stack = liveBlue({ smoke: { spec: null, expectVersionHeader: null } });
    stack.scripts.green.failure = "error-rate";
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("rolled-back");
    expect(result.message).toContain("20 of 20 requests failed (first: HTTP 500)");
    expect(stack.proxy.live).toBe("blue");
  });

  it("switches back when live responses still come from the old color", async () => {
    const stack = liveBlue();
    stack.proxy.liveTrafficStuckOn = "blue";
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("rolled-back");
    expect(result.message).toContain("20 of 20 responses came from blue, not green");
    expect(stack.proxy.switches).toEqual(["green", "blue"]);
    expect(stack.stateOf("green")).toBe("stopped");
  });
});

describe("deploy: refusals and interruptions", () => {
  it("refuses with kind 'conflict' and changes nothing when the stack disagrees with itself", async () => {
    const stack = FakeStack.seeded({
      live: "blue",
      blue: { version: "v1" },
      green: { version: "v0" },
      state: { active: "blue", previous: "green", versions: {}, warm: false },
    });
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("failed");
    expect(result.error?.kind).toBe("conflict");
    expect(result.message).toContain("both-running");
    expect(result.nextStep).toMatch(/bluegreen resolve/);
    expect(stack.compose.calls).toEqual([]);
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.state.writes).toEqual([]);
    expect(stack.lock.held).toBeNull();
  });

  it("reports Docker being unreachable without taking the lock or touching anything", async () => {
    const stack = liveBlue();
    stack.docker.down = "connect ENOENT /var/run/docker.sock";
    const { result } = await deploy(stack, "v2");
    expect(result).toMatchObject({ outcome: "failed", active: "blue", error: { kind: "failed" } });
    expect(result.message).toContain("Docker is not reachable");
    expect(stack.lock.acquisitions).toBe(0);
    expect(stack.compose.calls).toEqual([]);
  });

  it("validates the smoke spec before building anything", async () => {
    const stack = liveBlue();
    stack.smoke.specError = "checks[1].expect.status must be a number";
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("failed");
    expect(phaseStatus(result, "preflight")).toBe("failed");
    expect(result.message).toContain("checks[1].expect.status must be a number");
    expect(stack.compose.calls).toEqual([]);
    expect(stack.proxy.live).toBe("blue");
  });

  it("refuses an invalid version as a usage error before touching anything", async () => {
    const stack = liveBlue();
    const { result } = await deploy(stack, "v2; rm -rf /");
    expect(result.outcome).toBe("failed");
    expect(result.error?.kind).toBe("usage");
    expect(result.message).toContain('invalid version "v2; rm -rf /"');
    expect(result.phases).toEqual([]);
    expect(stack.compose.calls).toEqual([]);
    expect(stack.history.entries).toEqual([]);
    expect(stack.lock.held).toBeNull();
  });

  it("reports 'locked' naming the holder when another deploy holds the lock, and changes nothing", async () => {
    const stack = liveBlue();
    stack.lock.holdElsewhere({ stale: false });
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("failed");
    expect(result.error?.kind).toBe("locked");
    expect(result.message).toContain("deployer@ci-runner-7 (pid 4242)");
    expect(result.active).toBe("blue");
    expect(stack.compose.calls).toEqual([]);
    expect(stack.history.entries).toEqual([]);
    expect(stack.lock.held?.pid).toBe(4242);
  });

  it("stops the new color, releases the lock and reports 'aborted' when interrupted during the health wait", async () => {
    const stack = liveBlue();
    stack.scripts.green.failure = "slow-start";
    const { result, events } = await deploy(stack, "v2", {
      onEvent: (e, controller) => {
        if (e.type === "health" && e.health === "starting") controller.abort();
      },
    });
    expect(eventsOf(events, "health")).toHaveLength(1);
    expect(result.outcome).toBe("aborted");
    expect(result.error?.kind).toBe("aborted");
    expect(result.message).toMatch(/^interrupted/);
    expect(result.message, "an interrupted wait says nothing about the release's health").not.toContain("did not become healthy");
    expect(result.stateNow).toBe("blue (v1) still serves all live traffic; green has been stopped");
    expect(stack.stateOf("green")).toBe("stopped");
    expect(stack.proxy.switches).toEqual([]);
    expect(stack.lock.held).toBeNull();
    expect(stack.lock.releases).toBe(1);
  });

  it("deploys a fix when the live color has died and no color is healthy", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1", state: "stopped" } });
    const { result } = await deploy(stack, "v1.0.1");
    expect(result.message).not.toContain("unresolved conflicts");
    expect(result).toMatchObject({ outcome: "success", active: "green", to: { color: "green", version: "v1.0.1" } });
  });

  it("lets a stack whose first deploy failed be deployed again", async () => {
    // The first deploy starts the proxy, which routes live to its default (blue) before any switch.
    const stack = new FakeStack();
    stack.scripts.blue.failure = "unhealthy";
    const first = await deploy(stack, "v1");
    expect(first.result.outcome).toBe("failed");

    stack.scripts.blue.failure = null;
    const second = await deploy(stack, "v1.0.1");
    expect(second.result.message).not.toContain("unresolved conflicts");
    expect(second.result.outcome).toBe("success");
  });
});

describe("deploy: interruptions after the switch and restarted proxies", () => {
  it("stops at a safe point when interrupted during verification: new color live, old one still running", async () => {
    const stack = liveBlue();
    const { result } = await deploy(stack, "v2", {
      onEvent: (e, controller) => {
        if (e.type === "verify-progress" && e.requests === 5) controller.abort();
      },
    });
    expect(stack.proxy.live).toBe("green");
    expect(stack.compose.calls.filter((c) => c.project === "shop-blue"), "the old color must not be stopped after an interrupt").toEqual([]);
    expect(stack.stateOf("blue")).toBe("running");
    expect(result.outcome).toBe("aborted");
    expect(stack.state.current).toMatchObject({ active: "green", previous: "blue", warm: true });
  });

  it("takes the live color from a proxy it had to start, and stops that color after the switch", async () => {
    // The proxy container was stopped; its saved routing still sends live traffic to green.
    const stack = FakeStack.seeded({ proxy: "stopped", live: "green", green: { version: "v1" } });
    const { result } = await deploy(stack, "v2");
    expect(result).toMatchObject({ outcome: "success", from: { color: "green", version: "v1" }, to: { color: "blue", version: "v2" } });
    expect(stack.stateOf("green")).toBe("stopped");
    expect((await stack.engine.status()).conflicts).toEqual([]);
  });
});

describe("deploy: one color at a time", () => {
  it("never touches blue's containers while a release on green fails", async () => {
    for (const failure of ["unhealthy", "error-rate", "slow-start", "crash-on-start"] as const) {
      const stack = liveBlue();
      const blueBefore = stack.docker.byColor("blue");
      stack.scripts.green.failure = failure;
      await deploy(stack, "v2");
      expect(new Set(stack.compose.projects()), failure).toEqual(new Set(["shop-green"]));
      expect(stack.docker.byColor("blue"), failure).toEqual(blueBefore);
    }
  });

  it("touches blue only to stop it after green is live and verified", async () => {
    const stack = liveBlue();
    await deploy(stack, "v2");
    const blueCalls = stack.compose.calls.filter((c) => c.project !== "shop-green");
    expect(blueCalls.map((c) => `${c.verb} ${c.project}`)).toEqual(["stop shop-blue"]);
    expect(stack.compose.calls.at(-1)).toMatchObject({ verb: "stop", project: "shop-blue" });
  });
});
