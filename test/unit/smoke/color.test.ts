import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runSmoke } from "../../../smoke/runner.js";
import { parseSmokeSpec } from "../../../smoke/spec.js";

const spec = parseSmokeSpec(
  `defaults: { timeout: 1s, retries: 0, retryDelay: 20ms }
checks:
  - name: served by the expected color
    http: { path: / }
    expect: { color: "\${EXPECT_COLOR}" }
`,
  "color.yml",
);

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A 127.0.0.1 server answering every request with these headers. */
async function serve(headers: Record<string, string>): Promise<string> {
  server = createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end("ok");
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("smoke's color expectation", () => {
  it("reads the proxy's X-Bluegreen-Color and prefers it over the app's X-App-Color", async () => {
    const url = await serve({ "X-Bluegreen-Color": "green", "X-App-Color": "blue" });
    expect((await runSmoke(spec, { baseUrl: url, expectColor: "green" })).ok).toBe(true);
    const wrong = await runSmoke(spec, { baseUrl: url, expectColor: "blue" });
    expect(wrong.ok).toBe(false);
    expect(wrong.checks[0]?.failures[0]).toMatchObject({ what: "color (X-Bluegreen-Color)", expected: expect.stringContaining("blue") });
  });

  it("falls back to the app's X-App-Color when the proxy sends none", async () => {
    const url = await serve({ "X-App-Color": "blue" });
    const result = await runSmoke(spec, { baseUrl: url, expectColor: "blue" });
    expect(result.ok).toBe(true);
  });

  it("without either header, fails saying which header it reads and how to add it", async () => {
    const url = await serve({});
    const result = await runSmoke(spec, { baseUrl: url, expectColor: "blue" });
    expect(result.ok).toBe(false);
    const failure = result.checks[0]?.failures[0];
    expect(failure?.actual).toContain("no X-Bluegreen-Color or X-App-Color header");
    expect(failure?.actual).toContain("add_header X-Bluegreen-Color");
  });
});
