import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSmokePort } from "../../../src/cli/wire.js";
import { runSmoke } from "../../../smoke/runner.js";
import { parseSmokeSpec } from "../../../smoke/spec.js";
import { fakeConfig } from "../../fakes/index.js";
import { startFakeApp, type FakeApp } from "./fake-app.js";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** A spec that says nothing about versions: only smoke.expectVersionHeader can catch a wrong one. */
const SPEC = `defaults: { timeout: 1s, retries: 0, retryDelay: 20ms }
checks:
  - name: health answers
    http: { path: /health }
  - name: root answers 3 times
    http: { path: / }
    repeat: 3
`;
const spec = parseSmokeSpec(SPEC, "plain.yml");

let app: FakeApp;
beforeEach(async () => {
  app = await startFakeApp({ version: "v1" });
});
afterEach(async () => {
  await app.close();
});

describe("smoke.expectVersionHeader", () => {
  it("refuses a standby whose responses carry another version in that header", async () => {
    const result = await runSmoke(spec, { baseUrl: app.url, expectVersion: "v2", versionHeader: "X-App-Version" });
    expect(result.ok).toBe(false);
    expect(result.checks[0]?.failures).toEqual([{ what: "header X-App-Version (smoke.expectVersionHeader)", expected: '"v2"', actual: '"v1"' }]);
  });

  it("refuses responses that lack the header", async () => {
    app.state.omitVersionHeader = true;
    const result = await runSmoke(spec, { baseUrl: app.url, expectVersion: "v1", versionHeader: "X-App-Version" });
    expect(result.ok).toBe(false);
    expect(result.checks[0]?.failures[0]).toMatchObject({ what: "header X-App-Version (smoke.expectVersionHeader)", expected: '"v1"', actual: "(missing)" });
  });

  it("passes when every response carries the expected version", async () => {
    const result = await runSmoke(spec, { baseUrl: app.url, expectVersion: "v1", versionHeader: "x-app-version" });
    expect(result.ok).toBe(true);
  });

  it("with the key unset, checks no version by header", async () => {
    const result = await runSmoke(spec, { baseUrl: app.url, expectVersion: "v2" });
    expect(result.ok).toBe(true);
  });

  it("the deploy's smoke step reads the key from the config", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bg-vh-"));
    try {
      const file = path.join(dir, "smoke.yml");
      await writeFile(file, SPEC);
      const withKey = createSmokePort(fakeConfig({ smoke: { spec: file, expectVersionHeader: "X-App-Version" } }));
      expect((await withKey.run(app.url, { expectVersion: "v2", expectColor: null })).ok).toBe(false);
      const without = createSmokePort(fakeConfig({ smoke: { spec: file, expectVersionHeader: null } }));
      expect((await without.run(app.url, { expectVersion: "v2", expectColor: null })).ok).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
