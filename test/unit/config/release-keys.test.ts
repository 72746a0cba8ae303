import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../src/config/index.js";
import { VALID_YAML } from "./helpers.js";

const parse = (extra: string) => parseConfig(`${VALID_YAML}\n${extra}\n`, "/srv/stack/bluegreen.yml", {});
const problem = (extra: string): string => {
  try {
    parse(extra);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error("no ConfigError");
};

describe("config: hooks and migrate", () => {
  it("defaults the hooks directory next to the config file and a 60 s timeout, and no migration", () => {
    const config = parse("");
    expect(config.hooks).toEqual({ dir: "/srv/stack/.bluegreen/hooks", timeoutMs: 60_000 });
    expect(config.migrate).toBeNull();
  });

  it("reads hooks.dir relative to the config file and hooks.timeout as a duration", () => {
    expect(parse("hooks: { dir: ops/hooks, timeout: 90s }").hooks).toEqual({ dir: "/srv/stack/ops/hooks", timeoutMs: 90_000 });
  });

  it("reads the migration's service, argv lists and timeout (default 5 min)", () => {
    expect(parse('migrate: { service: app, command: ["node", "migrate.js"], contract: ["node", "migrate.js", "--contract"] }').migrate).toEqual({
      service: "app",
      command: ["node", "migrate.js"],
      contract: ["node", "migrate.js", "--contract"],
      timeoutMs: 300_000,
    });
  });

  it("refuses a migrate.service that is not a rotating service, naming the services", () => {
    expect(problem('migrate: { service: db, command: ["x"] }')).toMatch(/migrate\.service.*"db" is not one of services \(app\)/s);
  });

  it("refuses a migrate.command that is a string (argv lists only, no shell) or empty", () => {
    expect(problem('migrate: { service: app, command: "node migrate.js" }')).toMatch(/migrate\.command/);
    expect(problem("migrate: { service: app, command: [] }")).toMatch(/migrate\.command/);
  });

  it("refuses unknown keys and a zero timeout", () => {
    expect(problem("hooks: { directory: x }")).toMatch(/hooks\.directory|directory/);
    expect(problem("hooks: { timeout: 0s }")).toMatch(/hooks\.timeout/);
  });
});
