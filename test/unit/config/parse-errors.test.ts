import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.js";
import { configErrorOf, expectIssue, VALID_YAML, withLine } from "./helpers.js";

const FILE = "bluegreen.yml";
const parse = (text: string, env: NodeJS.ProcessEnv = {}) => () => parseConfig(text, FILE, env);

interface Case {
  name: string;
  text: string;
  env?: NodeJS.ProcessEnv;
  path: string;
  line: number;
  says: string;
}

const cases: Case[] = [
  { name: "an unclosed flow list is a YAML syntax error where the parser notices it", text: withLine(6, "services: [app\nenv2: x"), path: "", line: 7, says: "YAML syntax" },
  { name: "a duplicated key is an error, not last-one-wins", text: `${VALID_YAML}stack: other\n`, path: "", line: 21, says: "unique" },
  { name: "tab indentation is a YAML syntax error", text: withLine(10, "\tdriver: nginx"), path: "", line: 10, says: "YAML syntax" },
  { name: "an unknown top-level key suggests the near miss", text: withLine(19, "keepOldwarm: true"), path: "keepOldwarm", line: 19, says: 'did you mean "keepOldWarm"?' },
  { name: "an unknown proxy key suggests the near miss", text: withLine(10, "  drvier: nginx"), path: "proxy.drvier", line: 10, says: 'did you mean "driver"?' },
  { name: "an unknown key inside a flow mapping is found", text: withLine(16, "health: { timout: 180s, interval: 1s }"), path: "health.timout", line: 16, says: 'did you mean "timeout"?' },
  { name: "an unknown compose key lists what is allowed", text: withLine(3, "  sahred: compose.yml"), path: "compose.sahred", line: 3, says: "allowed here: shared, blue, green" },
  { name: "services as a string instead of a list", text: withLine(6, "services: app"), path: "services", line: 6, says: 'expected a list, found "app"' },
  { name: "keepOldWarm as a string", text: withLine(19, 'keepOldWarm: "yes"'), path: "keepOldWarm", line: 19, says: 'expected true or false, found "yes"' },
  { name: "proxy as a string instead of a mapping", text: withLine(9, "proxy: nginx").replace(/\n {2}(driver|service|runDir|upstream|live|preview):[^\n]*/g, ""), path: "proxy", line: 9, says: "expected a mapping" },
  { name: "a missing stack is reported with an example", text: withLine(1, null), path: "stack", line: 1, says: "is required but missing (e.g. stack: my-app)" },
  { name: "a missing proxy.upstream is reported at the proxy key", text: withLine(13, null), path: "proxy.upstream", line: 9, says: "is required but missing" },
  { name: "a duration with an unknown unit", text: withLine(16, "health: { timeout: 3 parsecs, interval: 1s }"), path: "health.timeout", line: 16, says: '"3 parsecs" is not a duration' },
  { name: "a fractional number of milliseconds", text: withLine(18, "verify: { duration: 5s, interval: 1.5 }"), path: "verify.interval", line: 18, says: "1.5 is not a whole, non-negative number of milliseconds" },
  { name: "a negative duration", text: withLine(17, "drain: { timeout: -5 }"), path: "drain.timeout", line: 17, says: "-5 is not a whole, non-negative" },
  { name: "a zero health interval", text: withLine(16, "health: { timeout: 180s, interval: 0s }"), path: "health.interval", line: 16, says: "must be more than 0" },
  { name: "an interval longer than its timeout", text: withLine(16, "health: { timeout: 1s, interval: 2s }"), path: "health.interval", line: 16, says: "2s is longer than health.timeout 1s" },
  { name: "a misspelt proxy driver", text: withLine(10, "  driver: ngnix"), path: "proxy.driver", line: 10, says: '"ngnix" is not one of nginx, caddy, haproxy (did you mean "nginx"?)' },
  { name: "an upstream without {color}", text: withLine(13, '  upstream: "app:3000"'), path: "proxy.upstream", line: 13, says: "has no {color} placeholder" },
  { name: "an upstream with an unknown placeholder", text: withLine(13, '  upstream: "app-{colour}-{color}:3000"'), path: "proxy.upstream", line: 13, says: "uses {colour}" },
  { name: "an upstream without a port", text: withLine(13, '  upstream: "app-{color}"'), path: "proxy.upstream", line: 13, says: "is not host:port" },
  { name: "a live URL that is not a URL", text: withLine(14, "  live: 127.0.0.1 port 8080"), path: "proxy.live", line: 14, says: "is not a URL" },
  { name: "a preview URL that is not http(s)", text: withLine(15, "  preview: ftp://127.0.0.1:8081"), path: "proxy.preview", line: 15, says: "only http and https" },
  { name: "a live URL with credentials", text: withLine(14, "  live: http://admin:hunter2@127.0.0.1:8080"), path: "proxy.live", line: 14, says: "carries credentials" },
  { name: "preview equal to live", text: withLine(15, "  preview: http://127.0.0.1:8080/"), path: "proxy.preview", line: 15, says: "is the same as proxy.live" },
  { name: "a stack name that is not a compose project prefix", text: withLine(1, "stack: My Stack"), path: "stack", line: 1, says: '"My Stack" is not a valid stack name' },
  { name: "an empty services list", text: withLine(6, "services: []"), path: "services", line: 6, says: "is an empty list" },
  { name: "an invalid service name", text: withLine(6, 'services: ["App!"]'), path: "services[0]", line: 6, says: '"App!" is not a valid service name' },
  { name: "a service listed twice", text: withLine(6, "services: [app, app]"), path: "services[1]", line: 6, says: "is listed twice" },
  { name: "env setting a variable bluegreen sets itself", text: withLine(8, "  BG_RUN_DIR: /tmp/x"), path: "env.BG_RUN_DIR", line: 8, says: "is set by bluegreen itself (from proxy.runDir)" },
  { name: "env with an invalid variable name", text: withLine(8, "  1PORT: x"), path: "env.1PORT", line: 8, says: "is not a valid environment variable name" },
  { name: "env with a mapping as value", text: withLine(8, "  PROXY_PORT: { a: 1 }"), path: "env.PROXY_PORT", line: 8, says: "must be a string, a number or true/false" },
  { name: "an unset ${VAR} without a default", text: withLine(14, "  live: http://127.0.0.1:${LIVE_PORT}"), path: "proxy.live", line: 14, says: "LIVE_PORT is not set" },
  { name: "${VAR:?message} shows the operator's message", text: withLine(14, '  live: "${LIVE_URL:?set LIVE_URL to the public route}"'), path: "proxy.live", line: 14, says: "set LIVE_URL to the public route" },
  { name: "an unclosed ${ in a value", text: withLine(14, "  live: http://127.0.0.1:${PORT"), path: "proxy.live", line: 14, says: 'unclosed "${"' },
  { name: "an empty env value", text: withLine(8, "  PROXY_PORT:"), path: "env.PROXY_PORT", line: 8, says: "has no value" },
  { name: "a null smoke spec key with a wrong type", text: `${VALID_YAML}smoke: { spec: [a, b] }\n`, path: "smoke.spec", line: 21, says: "expected a string, found a list" },
];

describe("parseConfig rejects a bad bluegreen.yml, naming the key and the line", () => {
  it.each(cases)("$name", async ({ text, env, path, line, says }) => {
    const error = await configErrorOf(parse(text, env));
    expectIssue(error, FILE, path, line, says);
  });

  it("has at least 20 distinct error cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it("reports every problem in one pass, sorted by line", async () => {
    const text = withLine(10, "  driver: ngnix").replace("stack: demo", "stack: Demo").replace("keepOldWarm: true", "keepOldWarm: 1");
    const error = await configErrorOf(parse(text));
    expect(error.issues.map((issue) => issue.path)).toEqual(["stack", "proxy.driver", "keepOldWarm"]);
    expect(error.message).toMatch(/has 3 problems; nothing was changed/);
  });

  it("reports a bad environment override by variable name", async () => {
    const error = await configErrorOf(parse(VALID_YAML, { HEALTH_CHECK_TIMEOUT: "soon" }));
    const issue = error.issues[0];
    expect(issue).toMatchObject({ file: "environment", path: "HEALTH_CHECK_TIMEOUT", line: null });
    expect(error.message).toContain('environment HEALTH_CHECK_TIMEOUT: "soon" is not a duration; use seconds (120)');
    expect(error.message).toContain("it overrides health.timeout");
  });

  it("rejects an empty file, saying what to write", async () => {
    const error = await configErrorOf(parse("# nothing yet\n"));
    expect(error.issues[0]?.message).toContain("is empty; write at least stack: my-app");
    expect(error.issues[0]?.line).toBe(1);
  });

  it("rejects a list at the top level", async () => {
    const error = await configErrorOf(parse("- stack: demo\n"));
    expect(error.message).toContain("bluegreen.yml:1:1");
    expect(error.message).toContain("expected a mapping, found a list");
  });

  it("refuses alias bombs instead of expanding them", async () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    const error = await configErrorOf(parse(`${bomb}\n`));
    expect(error.message).toContain("could not be read");
  });
});
