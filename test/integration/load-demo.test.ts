// The verification harness against the real demo stack: every verdict here comes from traffic to
// the 127.0.0.1 ports the stack publishes, while real Docker and real proxies do the damage.
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HaproxyDriver } from "../../src/proxy/haproxy.js";
import { verifyAround, type VerifyOptions } from "../../load/verify.js";
import type { VerifyResult } from "../../load/types.js";
import { type DemoStack, run, sleep, startDemoStack } from "../../testkit/demo-stack.js";
import { proxyConfigOf, waitForTraffic } from "./proxy-harness.js";

const SHORT: Omit<VerifyOptions, "liveUrl"> = { baselineMs: 2000, settleMs: 2000, connections: 4, ws: 4, maxDurationMs: 30_000 };

function figures(name: string, result: VerifyResult, extra: Record<string, unknown> = {}): void {
  console.log(
    `[load-demo] ${name}: ${JSON.stringify({
      verdict: result.verdict,
      hard: result.hard,
      keepAliveCloses: result.keepAliveCloses,
      outages: result.outages,
      clientStalls: result.clientStalls.length,
      jitter: result.probes.jitter,
      skipped: result.probes.skippedSlots,
      loadRequests: result.load?.requests,
      timeline: result.timeline,
      failed: result.criteria.filter((c) => !c.ok).map((c) => c.name),
      ...extra,
    })}`,
  );
}

/** ms between the daemon's `pause` and `unpause` events for a container since `sinceSec` (unix seconds). */
async function daemonPauseMs(containerId: string, sinceSec: number): Promise<number> {
  const { stdout } = await run("docker", [
    "events",
    "--since", String(sinceSec),
    "--until", String(Math.ceil(Date.now() / 1000) + 1),
    "--filter", `container=${containerId}`,
    "--filter", "event=pause",
    "--filter", "event=unpause",
    "--format", "{{.Action}} {{.TimeNano}}",
  ], { timeoutMs: 15_000 });
  const at = (action: string): number => {
    const line = stdout.split("\n").find((l) => l.startsWith(`${action} `));
    if (!line) throw new Error(`docker events shows no ${action} of ${containerId}:\n${stdout}`);
    return Number(BigInt(line.split(" ")[1] ?? "0") / 1000n) / 1000;
  };
  return at("unpause") - at("pause");
}

/**
 * The verdicts below are about the operation. If the stack already failed or stalled before the
 * operation started, the host is too starved to judge anything (seen at load averages of 30–40 on
 * this shared 2-core machine: the demo app itself times out). Say so instead of a confusing diff.
 */
function expectHealthyBaseline(result: VerifyResult): void {
  const before = result.outages.filter((o) => o.startMs + o.durationMs < result.operationWindow.startMs);
  const hardBefore = result.probeErrorsByPhase.before.hard;
  if (before.length > 0 || hardBefore > 0) {
    throw new Error(
      `the demo stack was already failing before the operation (${hardBefore} hard probe failures, ${before.length} outages in the baseline; ` +
        `load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}): the host is too busy to judge the operation. Re-run when it is quieter.`,
    );
  }
}

describe("verifyAround on the demo stack behind nginx", () => {
  let stack: DemoStack | undefined;
  const s = (): DemoStack => {
    if (!stack) throw new Error("the demo stack did not start (see beforeAll)");
    return stack;
  };
  const proxyId = async (): Promise<string> => {
    const id = await s().containerId("shared");
    if (!id) throw new Error(`no proxy container in ${s().projects.shared}`);
    return id;
  };

  beforeAll(async () => {
    stack = await startDemoStack({ name: "bgt-h5-nginx", proxy: "nginx", proxyPort: 18450, previewPort: 18451, colors: { blue: {} } });
    await waitForTraffic(s().liveUrl, "blue");
  });
  afterAll(async () => {
    // A failed test may leave the proxy paused; unpausing first lets destroy() remove it cleanly.
    const id = await stack?.containerId("shared").catch(() => null);
    if (id) await run("docker", ["unpause", id]).catch(() => undefined);
    await stack?.destroy();
  });

  it("fails a 300 ms docker pause of the proxy with one outage covering the real pause (−20 ms) and inside the pause/unpause calls (+20 ms)", async () => {
    const id = await proxyId();
    const marks = { pauseCalled: 0, paused: 0, unpauseCalled: 0, unpaused: 0 };
    const started = Math.floor(Date.now() / 1000) - 1;
    const { result, operation } = await verifyAround(async () => {
      marks.pauseCalled = performance.now();
      await run("docker", ["pause", id]);
      marks.paused = performance.now();
      await sleep(300 - (performance.now() - marks.paused));
      marks.unpauseCalled = performance.now();
      await run("docker", ["unpause", id]);
      marks.unpaused = performance.now();
    }, { liveUrl: s().liveUrl, ...SHORT });
    expect(operation.ok).toBe(true);
    // The real pause, two ways. Around the CLI calls: the freeze began inside `docker pause` and
    // ended inside `docker unpause`, which bounds it. Precisely: the daemon logs its pause and
    // unpause events right after the freezer changed state, both on its own clock, so their
    // difference is the pause length without the CLI round trips (tens of ms on a busy host).
    const bounds = { min: marks.unpauseCalled - marks.paused, max: marks.unpaused - marks.pauseCalled };
    const real = await daemonPauseMs(id, started);
    figures("docker pause", result, { realPauseMs: Math.round(real), cliEstimateMs: Math.round(marks.unpaused - marks.paused), bounds });
    expectHealthyBaseline(result);
    expect(real).toBeGreaterThanOrEqual(bounds.min - 1);
    expect(real).toBeLessThanOrEqual(bounds.max + 1);
    expect(result.verdict).toBe("FAIL");
    expect(result.outages).toHaveLength(1);
    const outage = result.outages[0]!;
    expect(outage.durationMs).toBeGreaterThanOrEqual(bounds.min - 20);
    expect(outage.durationMs).toBeLessThanOrEqual(bounds.max + 20);
    // Against the daemon's own clock, the lower side only: a frozen proxy answers nothing, so the
    // outage cannot be shorter than the real pause by more than the probe resolution (two 10 ms
    // intervals). Its upper side is bounded above by the CLI calls: on a shared 2-core host the probe
    // loop's event-loop lag adds tens of ms there (31.6 and 51 ms were seen in CI runs).
    expect(outage.durationMs).toBeGreaterThanOrEqual(real - 20);
  });

  it("keeps keep-alive closes of an nginx reload apart from hard failures", async () => {
    const id = await proxyId();
    const { result, operation } = await verifyAround(async () => {
      for (let i = 0; i < 3; i++) {
        await run("docker", ["exec", id, "nginx", "-s", "reload"]);
        await sleep(300);
      }
    }, { liveUrl: s().liveUrl, ...SHORT });
    figures("nginx reload", result);
    expectHealthyBaseline(result);
    expect(operation.ok).toBe(true);
    expect(result.hard).toBe(0);
    expect(result.criteria.find((c) => c.name === "no-hard-failures")?.ok).toBe(true);
    // Whatever resets happened (0 on some runs) were measured on reused sockets and classed apart.
    expect(result.probes.byCode).not.toHaveProperty("ECONNREFUSED");
    expect(result.keepAliveCloses).toBe(result.probes.keepAliveCloses + (result.load?.keepAliveCloses ?? 0));
  });

  it("fails a color answering 5% of requests with 500 and counts them as hard", async () => {
    await s().upColor("blue", { failure: "error-rate:0.05" });
    await waitForTraffic(s().liveUrl, "blue", 20_000, 1);
    const { result } = await verifyAround(() => sleep(500), { liveUrl: s().liveUrl, ...SHORT, ws: 0 });
    figures("error-rate 5%", result, { byCode: result.probes.byCode, loadHard: result.load?.hardByCode });
    expect(result.verdict).toBe("FAIL");
    expect(result.probes.byCode["http-500"]).toBeGreaterThan(0);
    expect(result.load?.hardByCode["http-500"]).toBeGreaterThan(0);
    expect(result.hard).toBe(result.probes.hard + (result.load?.hard ?? 0));
    expect(result.criteria.find((c) => c.name === "no-hard-failures")?.ok).toBe(false);
  });
});

describe("verifyAround on the demo stack behind HAProxy", () => {
  let stack: DemoStack | undefined;

  beforeAll(async () => {
    stack = await startDemoStack({
      name: "bgt-h5-haproxy",
      proxy: "haproxy",
      proxyPort: 18452,
      previewPort: 18453,
      colors: { blue: {}, green: { version: "v2" } },
    });
    await waitForTraffic(stack.previewUrl, "green");
    await waitForTraffic(stack.liveUrl, "blue");
  });
  afterAll(async () => {
    await stack?.destroy();
  });

  it("passes a clean blue→green switch through the HAProxy driver with 0 errors of any class", async () => {
    if (!stack) throw new Error("the demo stack did not start (see beforeAll)");
    const driver = new HaproxyDriver(proxyConfigOf(stack));
    const { result, operation } = await verifyAround(() => driver.switchLive("green"), { liveUrl: stack.liveUrl, ...SHORT });
    figures("haproxy switch", result, { switchAtMs: result.switchAtMs, op: result.operationWindow });
    expectHealthyBaseline(result);
    expect(operation).toEqual({ ok: true, value: undefined });
    expect(result.criteria.filter((c) => !c.ok)).toEqual([]);
    expect(result.verdict).toBe("PASS");
    expect(result.hard).toBe(0);
    expect(result.keepAliveCloses).toBe(0);
    expect(result.timeline).toMatchObject({ oldColor: "blue", newColor: "green" });
    expect(result.switchAtMs).not.toBeNull();
  });
});
