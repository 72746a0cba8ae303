/**
 * The runtime features an adopted stack needs, on the real stack (nginx): the proxy's
 * X-Bluegreen-Color, an app without a Docker healthcheck (refused without health.path, gated over
 * HTTP with it), a stop_grace_period that an app ignoring SIGTERM runs out (killed, said so), a dead
 * proxy as its own finding fixed by `bluegreen up`, `shared reload|restart proxy` under a request
 * loop, and `down` / `up` opening without a conflict. The app without a healthcheck is the demo app
 * with a compose file of its own in the test's temp dir (healthcheck disabled, stop signal SIGWINCH,
 * which node ignores, so `docker stop` has to kill it).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "undici";
import { startBluegreenStack, type BluegreenStack } from "../../testkit/bluegreen-stack.js";
import { REPO_ROOT, run } from "../../testkit/demo-stack.js";
import { describeRun, measureTraffic, phaseMs, recordFigure, resultOf, statusOf, trafficFigure } from "../helpers/engine-checks.js";

const GREEN_WITHOUT_HEALTHCHECK = (ns: string) => `services:
  app-green:
    build:
      context: ${JSON.stringify(REPO_ROOT)}
      dockerfile: fixtures/app/Dockerfile
      args:
        BASE_IMAGE: bluegreen/base-node:local
    image: ${ns}/app:\${APP_VERSION:-v1}
    environment:
      APP_COLOR: green
      APP_VERSION: \${APP_VERSION:-v1}
      REDIS_URL: redis://redis:6379
    labels:
      bluegreen.color: green
      bluegreen.version: \${APP_VERSION:-v1}
    healthcheck:
      disable: true
    stop_signal: SIGWINCH
    stop_grace_period: 3s
networks:
  default:
    external: true
    name: \${BG_STACK}_net
`;

async function headerOf(url: string, name: string): Promise<string | null> {
  const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
  await res.body.dump();
  const v = res.headers[name.toLowerCase()];
  return typeof v === "string" ? v : null;
}

describe("adopting an ordinary app: runtime features on the real stack (nginx)", () => {
  let stack: BluegreenStack | undefined;
  const s = (): BluegreenStack => {
    if (!stack) throw new Error("the stack did not start");
    return stack;
  };
  /** Rewrites the stack's bluegreen.yml: green from the file without a healthcheck, and health.path when given. */
  const configure = async (healthPath: string | null): Promise<void> => {
    const { readFile } = await import("node:fs/promises");
    const base = (await readFile(s().configPath, "utf8")).split("\n# adoption\n")[0] ?? "";
    const green = path.join(s().dir, "compose.green.yml");
    await writeFile(green, GREEN_WITHOUT_HEALTHCHECK(process.env.BG_IMAGE_NS ?? "bluegreen-demo"));
    const withGreen = base
      .replace(/^ {2}green: .*$/m, `  green: ${JSON.stringify(green)}`)
      .replace(/^health: \{(.*)\}$/m, (_m, inner: string) => `health: {${inner.replace(/, path: [^,}]*/, "")}${healthPath ? `, path: ${healthPath}` : ""} }`);
    await writeFile(s().configPath, withGreen);
  };

  beforeAll(async () => {
    stack = await startBluegreenStack({ name: "bgt-adopt", proxy: "nginx", proxyPort: 18750, previewPort: 18751, keepOldWarm: false, verifyDuration: "2s", healthTimeout: "60s", drainTimeout: "3s" });
  }, 300_000);
  afterAll(async () => {
    await stack?.destroy();
  }, 120_000);

  it("the proxy marks the color that served each response with X-Bluegreen-Color", async () => {
    expect(await headerOf(`${s().demo.liveUrl}/health`, "X-Bluegreen-Color")).toBe("blue");
  });

  it("refuses a release of a service without a Docker healthcheck when health.path is not set, naming both fixes", async () => {
    await configure(null);
    const r = await s().cli(["deploy", "--version", "v1", "--yes", "--json"]);
    expect(r.code, describeRun(r)).toBe(1);
    const result = resultOf(r);
    expect(result.error?.message).toContain("app-green has no Docker healthcheck and health.path is not set");
    expect(result.error?.message).toContain("set health.path");
    expect(result.phases.find((p) => p.phase === "health")?.status).toBe("failed");
    expect(await headerOf(`${s().demo.liveUrl}/`, "X-Bluegreen-Color")).toBe("blue");
  }, 240_000);

  it("with health.path, gates it over HTTP through the preview route, and stops a SIGTERM-ignoring color by its stop_grace_period, saying it was killed", async () => {
    await configure("/health");
    const deployGreen = await s().cli(["deploy", "--version", "v1", "--yes", "--json"]);
    expect(deployGreen.code, describeRun(deployGreen)).toBe(0);
    expect(deployGreen.stdout).toContain("no Docker healthcheck; checking GET /health through the preview route");
    expect(await headerOf(`${s().demo.liveUrl}/`, "X-Bluegreen-Color")).toBe("green");

    // Back to blue: green (stop_signal SIGWINCH, ignored by node) must be killed after its 3 s.
    const t0 = Date.now();
    const deployBlue = await s().cli(["deploy", "--version", "v1", "--yes", "--json"]);
    expect(deployBlue.code, describeRun(deployBlue)).toBe(0);
    const result = resultOf(deployBlue);
    const stopMs = phaseMs(result, "stop") ?? -1;
    recordFigure({ scenario: "stop of a SIGTERM-ignoring color (stop_grace_period 3s)", ms: stopMs, extra: { deployMs: Date.now() - t0 } });
    expect(stopMs).toBeGreaterThanOrEqual(2500);
    expect(stopMs).toBeLessThan(20_000); // was a fixed 45 s before
    expect(result.message).toContain("did not stop on SIGTERM within 3 s (stop_grace_period of app-green)");
    expect(result.message).toContain("init: true");
    const { stdout } = await run("docker", ["ps", "-a", "--filter", `label=com.docker.compose.project=${s().demo.name}-green`, "--format", "{{.Status}}"]);
    expect(stdout).toContain("Exited (137)");
  }, 300_000);

  it("a dead proxy is the proxy-down finding advising `bluegreen up`, which brings it back with its routing", async () => {
    const proxy = (await run("docker", ["ps", "-q", "--filter", `label=com.docker.compose.project=${s().demo.name}`, "--filter", "label=com.docker.compose.service=proxy"])).stdout.trim();
    await run("docker", ["kill", proxy]);
    const { code, doc } = await statusOf(s());
    expect(code).toBe(3);
    expect(doc.conflicts.map((c) => c.kind)).toEqual(["proxy-down"]);
    expect(doc.conflicts[0]?.why).toContain("bluegreen up");
    const up = await s().cli(["up", "--json"]);
    expect(up.code, describeRun(up)).toBe(0);
    const after = await statusOf(s());
    expect(after.doc.conflicts).toEqual([]);
    expect(after.doc.proxy.target).toBe("blue");
  }, 240_000);

  // On a machine at load average 30 (the 04:23 run) 699 of 766 requests timed out here; on the
  // clean-clone CI trial (load ~6) the same sequence lost 0 of 182. Kept as a plain test: a loss fails it.
  it("reloading the proxy in place loses no request under a request loop", async () => {
    const reloadTraffic = measureTraffic(s(), 20);
    await new Promise((r) => setTimeout(r, 1000));
    const reload = await s().cli(["shared", "reload", "proxy", "--yes", "--json"]);
    await new Promise((r) => setTimeout(r, 1000));
    const reloaded = await reloadTraffic.stop();
    expect(reload.code, describeRun(reload)).toBe(0);
    recordFigure({ scenario: "shared reload proxy (nginx)", traffic: trafficFigure(reloaded) });
    expect(reloaded.requests).toBeGreaterThan(50);
    expect(reloaded.hard, JSON.stringify(reloaded.hardByCode)).toBe(0);
  }, 240_000);

  it("restarting the proxy comes back with its saved target, read back (its cost measured)", async () => {
    const restartTraffic = measureTraffic(s(), 20);
    await new Promise((r) => setTimeout(r, 1000));
    const restart = await s().cli(["shared", "restart", "proxy", "--yes", "--json"]);
    await new Promise((r) => setTimeout(r, 1000));
    const restarted = await restartTraffic.stop();
    expect(restart.code, describeRun(restart)).toBe(0);
    recordFigure({ scenario: "shared restart proxy (nginx)", ms: resultOf(restart).durationMs, traffic: trafficFigure(restarted) });
    expect(resultOf(restart).message).toContain("routes live to blue");
    expect(await headerOf(`${s().demo.liveUrl}/`, "X-Bluegreen-Color")).toBe("blue");
  }, 240_000);

  it("down leaves nothing running and a state the next up starts cleanly from", async () => {
    const down = await s().cli(["down", "--yes", "--json"]);
    expect(down.code, describeRun(down)).toBe(0);
    const { stdout } = await run("docker", ["ps", "-aq", "--filter", `label=com.docker.compose.project=${s().demo.name}`]);
    expect(stdout.trim()).toBe("");
    const downStatus = await statusOf(s());
    expect(downStatus.doc.conflicts).toEqual([]);
    expect(downStatus.doc.state?.active).toBe("blue");
    const up = await s().cli(["up", "--json"]);
    expect(up.code, describeRun(up)).toBe(0);
    const upStatus = await statusOf(s());
    expect(upStatus.code).toBe(0);
    expect(upStatus.doc.conflicts).toEqual([]);
    expect(upStatus.doc.proxy.target).toBe("blue");
    const history = await s().cli(["history", "--json"]);
    expect(history.stdout).toContain('"down"');
  }, 300_000);
});
