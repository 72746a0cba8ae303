/**
 * The demo nginx's live route falls back to the other color when the live one gives no answer
 * (fixtures/proxy/nginx/nginx.conf, location @bg_other_color): a release that crashes right after
 * the switch loses no GET while the previous color is still warm. Only nginx's own 502/504 are
 * retried, only for GET/HEAD; the app's own error answers pass through.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NginxDriver } from "../../src/proxy/nginx.js";
import { type DemoStack, run, startDemoStack } from "../../testkit/demo-stack.js";
import { dockerCliExec, getOnce, proxyConfigOf, proxyContainerOf, waitForPing, waitForTraffic } from "./proxy-harness.js";

function post(url: string): Promise<number> {
  return fetch(url, { method: "POST" }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });
}

describe("nginx live route: fallback to the other color when the live one gives no answer", () => {
  let stack: DemoStack;
  let driver: NginxDriver;

  beforeAll(async () => {
    stack = await startDemoStack({ name: "bgt-nginx-fallback", proxy: "nginx", proxyPort: 18230, previewPort: 18231, colors: { blue: {}, green: {} } });
    driver = new NginxDriver(proxyConfigOf(stack), dockerCliExec, proxyContainerOf(stack));
    await waitForPing(driver);
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it("a killed live color: every GET is answered by the warm other color, a POST is not replayed (502)", async () => {
    await driver.switchLive("green");
    await waitForTraffic(stack.liveUrl, "green");
    await run("docker", ["kill", (await stack.containerId("green")) ?? "missing"]);

    const answers = [];
    for (let i = 0; i < 20; i += 1) answers.push(await getOnce(`${stack.liveUrl}/`));
    expect(answers.map((a) => `${a.status} ${a.color}`)).toEqual(Array(20).fill("200 blue"));
    expect(await post(`${stack.liveUrl}/api/hits`)).toBe(502);
    // The preview route has no fallback: a smoke test must only ever see the color it tests.
    await driver.pointPreview("green");
    expect((await getOnce(`${stack.previewUrl}/`)).status).toBe(502);
  });

  it("the app's own error answers pass through: they are not retried on the other color", async () => {
    await stack.upColor("green", { failure: "error-rate:1" });
    // nginx re-resolves the recreated container within a second; until then blue answers.
    let answer = await getOnce(`${stack.liveUrl}/`);
    for (let i = 0; i < 50 && answer.color !== "green"; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await getOnce(`${stack.liveUrl}/`);
    }
    expect(answer).toEqual({ status: 500, color: "green" });
  });

  it("with nothing warm to fall back to, the client gets nginx's 502", async () => {
    await stack.stopColor("blue");
    await run("docker", ["kill", (await stack.containerId("green")) ?? "missing"]);
    expect((await getOnce(`${stack.liveUrl}/`)).status).toBe(502);
  });
});
