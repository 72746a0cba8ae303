import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, validateServicesAgainstCompose } from "../../../src/config/index.js";
import { configErrorOf, expectIssue, makeStackDir, VALID_YAML, withLine } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function stack(files: Record<string, string> = {}): Promise<string> {
  const { dir, cleanup } = await makeStackDir(files);
  cleanups.push(cleanup);
  return dir;
}

describe("loadConfig", () => {
  it("loads a valid stack directory", async () => {
    const dir = await stack();
    const config = await loadConfig("bluegreen.yml", {}, { cwd: dir });
    expect(config.file).toBe(join(dir, "bluegreen.yml"));
    expect(config.compose.green).toBe(join(dir, "compose.green.yml"));
  });

  it("says which path was tried and how to pass another file when the config is missing", async () => {
    const dir = await stack();
    const error = await configErrorOf(() => loadConfig("nope.yml", {}, { cwd: dir }));
    expect(error.message).toContain(`no configuration file at ${join(dir, "nope.yml")}`);
    expect(error.message).toContain("-c FILE");
    expect(error.issues[0]?.line).toBeNull();
  });

  it("says when the config path is a directory", async () => {
    const dir = await stack();
    const error = await configErrorOf(() => loadConfig(".", {}, { cwd: dir }));
    expect(error.message).toContain("is a directory");
  });

  it("names the file as the operator gave it, with line and column", async () => {
    const dir = await stack({ "bluegreen.yml": withLine(10, "  driver: [nginx") });
    const error = await configErrorOf(() => loadConfig("bluegreen.yml", {}, { cwd: dir }));
    expect(error.message).toMatch(/\n {2}bluegreen\.yml:11:\d+ YAML syntax: /);
  });

  it("reports a missing compose file at the key that names it", async () => {
    const dir = await stack();
    await rm(join(dir, "compose.blue.yml"));
    const error = await configErrorOf(() => loadConfig("bluegreen.yml", {}, { cwd: dir }));
    const issue = expectIssue(error, "bluegreen.yml", "compose.blue", 4, "does not exist");
    expect(issue.message).toContain(`relative to ${dir}`);
  });

  it("reports a compose path that is a directory", async () => {
    const dir = await stack();
    await rm(join(dir, "compose.green.yml"));
    await mkdir(join(dir, "compose.green.yml"));
    const error = await configErrorOf(() => loadConfig("bluegreen.yml", {}, { cwd: dir }));
    expectIssue(error, "bluegreen.yml", "compose.green", 5, "is not a regular file");
  });

  it("marks a missing default compose file as the default", async () => {
    const dir = await stack({ "bluegreen.yml": VALID_YAML.replace(/compose:\n( {2}.*\n){3}/, "") });
    await rm(join(dir, "compose.yml"));
    const error = await configErrorOf(() => loadConfig("bluegreen.yml", {}, { cwd: dir }));
    expect(error.issues[0]?.path).toBe("compose.shared");
    expect(error.issues[0]?.message).toContain("(the default)");
  });

  it("reports a missing smoke spec", async () => {
    const dir = await stack({ "bluegreen.yml": `${VALID_YAML}smoke:\n  spec: smoke/demo.yml\n` });
    const error = await configErrorOf(() => loadConfig("bluegreen.yml", {}, { cwd: dir }));
    expectIssue(error, "bluegreen.yml", "smoke.spec", 22, "smoke/demo.yml does not exist");
  });

  it("accepts an existing smoke spec and resolves it", async () => {
    const dir = await stack({ "bluegreen.yml": `${VALID_YAML}smoke:\n  spec: smoke/demo.yml\n`, "smoke/demo.yml": "checks: []\n" });
    const config = await loadConfig(join(dir, "bluegreen.yml"), {});
    expect(config.smoke.spec).toBe(join(dir, "smoke/demo.yml"));
  });

  it("reports a rotating service missing from a color's compose file, with the file name", async () => {
    const dir = await stack({ "compose.blue.yml": "services:\n  api-blue:\n    image: x\n" });
    const error = await configErrorOf(() => loadConfig("bluegreen.yml", {}, { cwd: dir }));
    const issue = error.issues[0];
    expect(issue?.file).toMatch(/compose\.blue\.yml$/);
    expect(issue?.line).toBe(1);
    expect(issue?.message).toContain('has no service "app-blue"');
    expect(issue?.message).toContain('services lists "app"');
    expect(issue?.message).toContain("defined here: api-blue");
  });

  it("can skip the compose cross-check", async () => {
    const dir = await stack({ "compose.blue.yml": "services:\n  api-blue:\n    image: x\n" });
    const config = await loadConfig("bluegreen.yml", {}, { cwd: dir, checkCompose: false });
    expect(config.services).toEqual(["app"]);
  });
});

describe("validateServicesAgainstCompose", () => {
  it("finds nothing wrong in a matching stack", async () => {
    const dir = await stack();
    const config = await loadConfig("bluegreen.yml", {}, { cwd: dir, checkCompose: false });
    expect(await validateServicesAgainstCompose(config)).toEqual([]);
  });

  it("reports every missing service of every file, and the proxy service", async () => {
    const dir = await stack({
      "bluegreen.yml": withLine(6, "services: [app, worker]"),
      "compose.green.yml": "services:\n  app-green:\n    image: x\n",
      "compose.yml": "version: '2.4'\nservices:\n  nginx:\n    image: x\n",
    });
    const config = await loadConfig("bluegreen.yml", {}, { cwd: dir, checkCompose: false });
    const issues = await validateServicesAgainstCompose(config);
    const summary = issues.map((issue) => `${issue.file.split("/").pop()}:${issue.line} ${issue.message.split(" (")[0]}`);
    expect(summary).toEqual([
      'compose.blue.yml:1 has no service "worker-blue"',
      'compose.green.yml:1 has no service "worker-green"',
      'compose.yml:2 has no service "proxy"',
    ]);
  });

  it("reports a compose file that is not valid YAML", async () => {
    const dir = await stack({ "compose.blue.yml": "services:\n  app-blue: [\n" });
    const config = await loadConfig("bluegreen.yml", {}, { cwd: dir, checkCompose: false });
    const [issue] = await validateServicesAgainstCompose(config);
    expect(issue?.message).toContain("YAML syntax");
    expect(issue?.line).toBeGreaterThan(0);
  });

  it("reports a compose file without a services mapping", async () => {
    const dir = await stack({ "compose.green.yml": "version: '2.4'\n" });
    const config = await loadConfig("bluegreen.yml", {}, { cwd: dir, checkCompose: false });
    const [issue] = await validateServicesAgainstCompose(config);
    expect(issue?.path).toBe("services");
    expect(issue?.message).toContain("is missing or not a mapping");
  });

  it("reports an unreadable compose file", async () => {
    const dir = await stack();
    const config = await loadConfig("bluegreen.yml", {}, { cwd: dir, checkCompose: false });
    await writeFile(join(dir, "compose.green.yml"), "");
    await rm(join(dir, "compose.green.yml"));
    const [issue] = await validateServicesAgainstCompose(config);
    expect(issue?.message).toContain("cannot be read (ENOENT)");
  });
});

describe("the repository's bluegreen.yml", () => {
  it("loads against the demo compose files and smoke spec", async () => {
    const repo = join(import.meta.dirname, "../../..");
    const config = await loadConfig("bluegreen.yml", {}, { cwd: repo });
    expect(config.compose.shared).toBe(join(repo, "compose.yml"));
    expect(config.smoke.spec).toBe(join(repo, "smoke/specs/demo.yml"));
    expect(config.env.BG_RUN_DIR).toBe(join(repo, ".bluegreen/run"));
  });
});
