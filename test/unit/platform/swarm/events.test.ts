import { describe, expect, it } from "vitest";
import { parseDockerEvent } from "../../../../src/docker/docker-event.js";
import { asComposeEvent, swarmEventFilters } from "../../../../src/platform/swarm/events.js";

// A "die" event of a swarm task's container, as a node's engine sends it.
const DIE = {
  Type: "container",
  Action: "die",
  Actor: {
    ID: "98ce5020b3a2aaaa",
    Attributes: {
      name: "bluegreen-lab-green_app-green.2.wmko1ni78t26w977dxe990ccq",
      "bluegreen.color": "green",
      "com.docker.stack.namespace": "bluegreen-lab-green",
      "com.docker.swarm.service.name": "bluegreen-lab-green_app-green",
      exitCode: "137",
    },
  },
  time: 1764762000,
  timeNano: 1764762000123000000,
};

describe("swarm container events read like compose ones", () => {
  it("the stack becomes the project and the compose service name the service", () => {
    expect(parseDockerEvent(asComposeEvent(DIE))?.event).toMatchObject({ action: "die", containerId: "98ce5020b3a2aaaa", project: "bluegreen-lab-green", service: "app-green", color: "green" });
  });

  it("without the rewrite the event would carry no project (which is why it exists)", () => {
    expect(parseDockerEvent(DIE)?.event.project).toBeNull();
  });

  it("leaves events of containers outside any stack as they are", () => {
    const plain = { Type: "container", Action: "start", Actor: { ID: "x", Attributes: { name: "n" } } };
    expect(asComposeEvent(plain)).toBe(plain);
  });

  it("filters on the stack label, by value for one stack and by presence for several (Docker ANDs label filters)", () => {
    expect(swarmEventFilters(["s-green"])).toMatchObject({ type: ["container"], label: ["com.docker.stack.namespace=s-green"] });
    expect(swarmEventFilters(["s", "s-green"]).label).toEqual(["com.docker.stack.namespace"]);
    expect(swarmEventFilters(["s"]).event).toContain("health_status");
  });
});
