import { describe, expect, it } from "vitest";
import { endpointProblem, nodeEndpoint, stackName } from "../../../../src/platform/swarm/settings.js";

describe("swarm settings", () => {
  it("names the stacks like the compose projects", () => {
    expect(["shared", "blue", "green"].map((s) => stackName("demo", s as never))).toEqual(["demo", "demo-blue", "demo-green"]);
  });

  it("reaches a node by its configured endpoint, the manager's own node by the manager's, others by the template", () => {
    const settings = { manager: "unix:///run/m.sock", nodes: { n2: "unix:///run/n2.sock" } };
    expect(nodeEndpoint(settings, { hostname: "n2", addr: "10.0.0.2", isManagerSelf: false })).toBe("unix:///run/n2.sock");
    expect(nodeEndpoint(settings, { hostname: "n1", addr: "10.0.0.1", isManagerSelf: true })).toBe("unix:///run/m.sock");
    expect(nodeEndpoint(settings, { hostname: "n3", addr: "10.0.0.3", isManagerSelf: false })).toBe("tcp://10.0.0.3:2375");
    expect(nodeEndpoint({ ...settings, nodeEndpoint: "tcp://{hostname}.lan:2375" }, { hostname: "n3", addr: "10.0.0.3", isManagerSelf: false })).toBe("tcp://n3.lan:2375");
  });

  it("accepts unix://, tcp:// and ssh:// endpoints; refuses an ssh one with a path", () => {
    expect(endpointProblem("unix:///var/run/docker.sock")).toBeNull();
    expect(endpointProblem("tcp://10.0.0.2:2375")).toBeNull();
    expect(endpointProblem("ssh://me@node2")).toBeNull();
    expect(endpointProblem("ssh://node2:2222")).toBeNull();
    expect(endpointProblem("ssh://me@node2/var/run/docker.sock")).toMatch(/not an ssh endpoint.*no path/);
    expect(endpointProblem("unix://")).toMatch(/not a Docker endpoint/);
    expect(endpointProblem("http://x")).toMatch(/not a Docker endpoint/);
  });
});
