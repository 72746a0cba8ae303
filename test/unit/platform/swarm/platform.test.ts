import { describe, expect, it } from "vitest";
import { createSwarmPlatform, type SwarmSettings } from "../../../../src/platform/swarm/index.js";

const settings = (manager: string): SwarmSettings => ({ stack: "demo", files: { shared: ["s.yml"], blue: ["b.yml"], green: ["g.yml"] }, cwd: "/", env: {}, manager });

describe("the swarm platform without a swarm", () => {
  it("is the swarm kind", () => {
    expect(createSwarmPlatform(settings("unix:///nonexistent/docker.sock")).kind).toBe("swarm");
  });

  it("ping says the manager is not reachable, that nothing changed, and what to do", async () => {
    await expect(createSwarmPlatform(settings("unix:///nonexistent/docker.sock")).ping()).rejects.toThrow(/Docker is not reachable at unix:\/\/\/nonexistent\/docker\.sock .*Nothing was changed\. What to do/);
  });

  it("refuses an endpoint it cannot use before doing anything", () => {
    expect(() => createSwarmPlatform(settings("https://manager:2376"))).toThrow(/not a Docker endpoint bluegreen can use/);
  });
});
