import { test } from "vitest";
import { readFileSync } from "node:fs";
import { parseConfig, loadConfig } from "../../../src/config/index.js";
test("x", async () => { try { console.log(parseConfig(readFileSync("/work/main/bluegreen.yml","utf8"), "bluegreen.yml", {DEMO_PROXY: "haproxy", HEALTH_CHECK_TIMEOUT: "90"})); } catch (e) { console.log(String(e)); } });
test("x", async () => { try { await loadConfig("bluegreen.yml", process.env, {cwd: "/work/main"}); } catch (e) { console.log(String(e)); } });
const bad = `stack: Demo App
compose:
  shard: c.yml
services: []
env: { BG_STACK: x, "1A": y, N: }
proxy:
  driver: ngnix
  upstream: app:3000
  live: ftp://x
  preview: "\${NOPE}"
  extra: 1
health: { timeout: 3 parsecs, interval: -5 }
verify: { duration: 1s, interval: 2s }
keepOldwarm: yes
`;
test("x", async () => { try { parseConfig(bad, "bluegreen.yml", {}); } catch (e) { console.log(String(e)); } });
test("x", async () => { try { parseConfig("stack: a\nproxy:\n  driver: nginx\n", "bluegreen.yml", {}); } catch (e) { console.log(String(e)); } });
test("x", async () => { try { parseConfig("stack: [a\nproxy: {", "bluegreen.yml", {}); } catch (e) { console.log(String(e)); } });
test("x", async () => { try { parseConfig("stack: a\nstack: b\n", "bluegreen.yml", {}); } catch (e) { console.log(String(e)); } });
