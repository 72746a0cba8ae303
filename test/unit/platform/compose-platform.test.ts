import { describe, expect, it } from "vitest";
import type { MigrateConfig } from "../../../src/config/types.js";
import { composeTarget, projectName } from "../../../src/platform/compose/platform.js";
import { FakeStack, fakeConfig } from "../../fakes/stack.js";
import { runOperation } from "../engine/event-checks.js";

describe("the compose platform", () => {
  it("runs each slot as its own compose project from its own file, a release's variables over the config's env", () => {
    const config = fakeConfig();
    expect(projectName("shop", "shared")).toBe("shop");
    expect(projectName("shop", "green")).toBe("shop-green");
    expect(composeTarget(config, "green", { BLUEGREEN_VERSION: "v2", PROXY_PORT: "9999" })).toEqual({
      project: "shop-green",
      files: ["/srv/shop/compose.green.yml"],
      cwd: "/srv/shop",
      env: { PROXY_PORT: "9999", PREVIEW_PORT: "18081", BLUEGREEN_VERSION: "v2" },
    });
    expect(composeTarget(config, "shared")).toMatchObject({ project: "shop", files: ["/srv/shop/compose.yml"] });
  });

  it("lists both colors and the shared services from one container list", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" }, green: { version: "v2" } });
    const before = stack.docker.listCalls;
    const all = await stack.ports.platform.listAll();
    expect(stack.docker.listCalls - before).toBe(1);
    expect(all.blue.map((c) => c.version)).toEqual(["v1"]);
    expect(all.green.map((c) => c.version)).toEqual(["v2"]);
    expect(all.shared.map((c) => c.service)).toEqual(["proxy", "redis"]);
  });
});

describe("a migration is a change: it needs the stack's lock", () => {
  const MIGRATE: MigrateConfig = { service: "app", command: ["node", "/app/migrate.js"], contract: null, timeoutMs: 120_000 };

  it("a migration whose lock was lost before it ran is refused, not run", async () => {
    const stack = FakeStack.seeded({ live: "blue", blue: { version: "v1" } }, { migrate: MIGRATE });
    const { result } = await runOperation((h) => stack.engine.deploy({ version: "v2" }, h), {
      onEvent: (e) => {
        if (e.type === "phase" && e.phase === "migrate" && e.status === "start") stack.lock.loseLock("the lock directory was removed by someone else");
      },
    });
    expect(result.outcome).toBe("failed");
    expect(result.message).toMatch(/lock .*lost/);
    expect(stack.compose.calls.filter((c) => c.verb === "run")).toEqual([]);
  });
});
