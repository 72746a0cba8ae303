import { describe, expect, it } from "vitest";
import { resolveStopTimeout } from "../../../src/engine/steps.js";
import { healthGateProblem, httpHealthPass, serviceBehindRoute } from "../../../src/engine/health-gate.js";
import { FakeStack, recorder } from "../../fakes/index.js";
import { eventsOf, phaseStatus, runOperation } from "./event-checks.js";

function deploy(stack: FakeStack, version: string, opts: Parameters<typeof recorder>[0] = {}) {
  return runOperation((h) => stack.engine.deploy({ version }, h), opts);
}

/** An ordinary app: no Docker healthcheck. blue v1 is live when `live` is set. */
function noHealthcheckStack(overrides: Parameters<typeof FakeStack.seeded>[1] = {}, live = true): FakeStack {
  const stack = new FakeStack(overrides);
  stack.compose.healthcheck = false;
  if (live) stack.seed({ live: "blue", blue: { version: "v1" } });
  return stack;
}

describe("health gate of a service without a Docker healthcheck", () => {
  it("fails the first deploy's health phase, naming both fixes, instead of reporting it healthy at once", async () => {
    const stack = noHealthcheckStack({}, false);
    const { result, events } = await deploy(stack, "v1");
    expect(result.outcome).toBe("failed");
    expect(phaseStatus(result, "health")).toBe("failed");
    expect(phaseStatus(result, "switch")).toBeUndefined();
    const healthFailure = eventsOf(events, "phase").find((e) => e.phase === "health" && e.status === "failed");
    expect(healthFailure?.detail).toContain("app-blue has no Docker healthcheck and health.path is not set");
    expect(healthFailure?.detail).toContain("add a healthcheck to app-blue");
    expect(healthFailure?.detail).toContain("set health.path");
    expect(stack.state.current).toBeNull();
  });

  it("refuses in preflight, before building anything, when the live color shows the service has no healthcheck", async () => {
    const stack = noHealthcheckStack();
    stack.serviceFacts.set("app-green", { healthcheck: "absent" });
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("failed");
    expect(result.error?.kind).toBe("usage");
    expect(result.error?.message).toContain("app-green has no Docker healthcheck and health.path is not set");
    expect(phaseStatus(result, "preflight")).toBe("failed");
    expect(stack.compose.calls).toEqual([]);
    expect(stack.proxy.live).toBe("blue");
  });

  it("polls health.path through the preview route, pointed at the new color first, until it answers from that color", async () => {
    const stack = noHealthcheckStack({ health: { timeoutMs: 30_000, intervalMs: 1_000, path: "/healthz" } });
    const { result, events } = await deploy(stack, "v2");
    expect(result.outcome).toBe("success");
    const checks = stack.live.urls.filter((u) => u.url === "http://127.0.0.1:18081/healthz");
    expect(checks.length).toBeGreaterThanOrEqual(2);
    const healthy = eventsOf(events, "health").filter((e) => e.health === "healthy");
    expect(healthy.map((e) => e.container)).toEqual(["shop-green_app-green_1"]);
    expect(healthy[0]?.detail).toContain("GET /healthz via the preview route: HTTP 200 from green");
    expect(eventsOf(events, "log").some((e) => e.message.includes("2 consecutive passes from green"))).toBe(true);
  });

  it("times out when the preview route never answers 2xx from the new color", async () => {
    const stack = noHealthcheckStack({ health: { timeoutMs: 5_000, intervalMs: 1_000, path: "/healthz" } });
    stack.scripts.green.failure = "error-rate";
    const { result, events } = await deploy(stack, "v2");
    expect(result.outcome).toBe("failed");
    const failed = eventsOf(events, "phase").find((e) => e.phase === "health" && e.status === "failed");
    expect(failed?.detail).toContain("did not pass GET /healthz through the preview route within 5 s (last: HTTP 500)");
    expect(stack.proxy.live).toBe("blue");
  });

  it("names the service that no HTTP check can reach (a worker without a port)", () => {
    const problem = healthGateProblem(["worker"], "green", { upstream: "web-{color}:8000", services: ["web", "worker"], healthPath: "/healthz", composeFile: "compose.green.yml" });
    expect(problem).toContain("worker-green has no Docker healthcheck and is not behind the proxy's upstream (proxy.upstream web-{color}:8000)");
    expect(healthGateProblem(["web"], "green", { upstream: "web-{color}:8000", services: ["web", "worker"], healthPath: "/healthz", composeFile: "compose.green.yml" })).toBeNull();
    expect(serviceBehindRoute("web-{color}:8000", ["web", "worker"])).toBe("web");
  });

  it("counts a pass only for a 2xx/3xx answer that is not from the other color", () => {
    expect(httpHealthPass({ status: 200, color: "green", error: null }, "green").ok).toBe(true);
    expect(httpHealthPass({ status: 200, color: null, error: null }, "green").ok).toBe(true);
    expect(httpHealthPass({ status: 200, color: "blue", error: null }, "green")).toEqual({ ok: false, detail: "HTTP 200 from blue, not green" });
    expect(httpHealthPass({ status: 503, color: "green", error: null }, "green").ok).toBe(false);
    expect(httpHealthPass({ status: null, color: null, error: "ECONNREFUSED" }, "green").ok).toBe(false);
  });
});

describe("stopping the old color", () => {
  it("uses Docker's 10 s default instead of a hard-coded 45 s when nothing says otherwise", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    await deploy(stack, "v2");
    const stop = stack.compose.calls.find((c) => c.verb === "stop" && c.project === "shop-blue");
    expect(stop?.opts.timeoutSec).toBe(10);
  });

  it("takes the longest stop_grace_period of the color's services from the compose files", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    stack.serviceFacts.set("app-blue", { stopGracePeriodMs: 25_000 });
    await deploy(stack, "v2");
    expect(stack.compose.calls.find((c) => c.verb === "stop" && c.project === "shop-blue")?.opts.timeoutSec).toBe(25);
    expect(resolveStopTimeout(null, { "app-blue": { healthcheck: "declared", stopGracePeriodMs: 3_000 } }, ["app-blue"])).toEqual({ ms: 3_000, source: "stop_grace_period of app-blue" });
  });

  it("lets stop.timeout win over stop_grace_period", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } }, { stop: { timeoutMs: 4_000 } });
    stack.serviceFacts.set("app-blue", { stopGracePeriodMs: 25_000 });
    await deploy(stack, "v2");
    expect(stack.compose.calls.find((c) => c.verb === "stop" && c.project === "shop-blue")?.opts.timeoutSec).toBe(4);
    expect(stack.serviceFacts.reads).toEqual([]);
  });

  it("says in the events and the result when the old color ignored SIGTERM and was killed, and how to fix it", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    stack.compose.ignoresSigterm = true;
    const { result, events } = await deploy(stack, "v2");
    expect(result.outcome).toBe("success");
    const warn = eventsOf(events, "log").find((e) => e.level === "warn" && e.message.includes("did not stop on SIGTERM"));
    expect(warn?.message).toContain("shop-blue_app-blue_1 did not stop on SIGTERM within 10 s (Docker's default");
    expect(warn?.message).toContain("was killed (exit 137)");
    expect(warn?.message).toContain("`init: true`");
    expect(result.message).toContain("did not stop on SIGTERM");
    expect(result.message).toContain("handle SIGTERM");
  });
});

describe("versionVariable", () => {
  it("passes deploy --version to compose as BLUEGREEN_VERSION by default", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } });
    await deploy(stack, "v2");
    const up = stack.compose.calls.find((c) => c.verb === "up" && c.project === "shop-green");
    expect(up?.env.BLUEGREEN_VERSION).toBe("v2");
    expect(up?.env.APP_VERSION).toBeUndefined();
  });

  it("uses the configured variable for build, up and a rollback that recreates a removed color", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } }, { versionVariable: "APP_VERSION" });
    await deploy(stack, "v2");
    for (const c of stack.compose.calls.filter((c) => (c.verb === "up" || c.verb === "build") && c.project === "shop-green")) expect(c.env.APP_VERSION).toBe("v2");
    // blue was stopped; remove it, as `cleanup` would, then roll back: it is recreated at v1.
    await runOperation((h) => stack.engine.cleanup(h), {});
    expect(stack.stateOf("blue")).toBe("absent");
    stack.compose.calls.length = 0;
    const { result } = await runOperation((h) => stack.engine.rollback(h), {});
    expect(result.outcome).toBe("success");
    const up = stack.compose.calls.find((c) => c.verb === "up" && c.project === "shop-blue");
    expect(up?.env.APP_VERSION).toBe("v1");
    expect(up?.env.BLUEGREEN_VERSION).toBeUndefined();
    expect(stack.versionOf("blue")).toBe("v1");
  });
});

describe("verify.path and verify.method", () => {
  it("sends the post-switch requests to verify.path with verify.method", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } }, { verify: { durationMs: 1_000, intervalMs: 100, path: "/healthz", method: "HEAD", urls: [] } });
    const { result } = await deploy(stack, "v2");
    expect(result.outcome).toBe("success");
    const live = stack.live.urls.filter((u) => u.url.startsWith("http://127.0.0.1:18080"));
    expect(new Set(live.map((u) => `${u.method} ${u.url}`))).toEqual(new Set(["HEAD http://127.0.0.1:18080/healthz"]));
  });
});
