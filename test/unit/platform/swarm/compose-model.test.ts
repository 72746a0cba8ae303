import { describe, expect, it } from "vitest";
import { networkName, serviceDefinitions } from "../../../../src/platform/swarm/compose-model.js";
import { jobSpec } from "../../../../src/platform/swarm/one-off.js";

// What `docker-compose config` (v1) prints for the lab's green.yml, plus a service with the other shapes.
const CONFIG = `
networks:
  default:
    external: true
    name: bluegreen-lab_net
  back: {}
  legacy:
    external:
      name: old_net
services:
  app-green:
    environment:
      APP_COLOR: green
      APP_VERSION: v2
      EMPTY: null
    image: bluegreen-demo/app:v2
    labels:
      bluegreen.color: green
  worker-green:
    build:
      context: ./worker
    entrypoint: /bin/worker --fast
    environment:
      - MODE=batch
    networks:
      back: {}
      legacy: {}
    user: "1000"
    working_dir: /srv
`;

describe("the slot's services as compose resolves them", () => {
  const defs = serviceDefinitions(CONFIG, "bluegreen-lab-green");

  it("reads image, env, labels and the networks' swarm names", () => {
    expect(defs["app-green"]).toEqual({
      name: "app-green",
      image: "bluegreen-demo/app:v2",
      build: false,
      env: ["APP_COLOR=green", "APP_VERSION=v2"],
      entrypoint: null,
      user: null,
      workingDir: null,
      labels: { "bluegreen.color": "green" },
      networks: ["bluegreen-lab_net"],
    });
  });

  it("knows a service with a build section, its entrypoint, user and the stack's own networks", () => {
    expect(defs["worker-green"]).toMatchObject({ image: null, build: true, entrypoint: ["/bin/worker", "--fast"], env: ["MODE=batch"], user: "1000", workingDir: "/srv", networks: ["bluegreen-lab-green_back", "old_net"] });
  });

  it("names networks: given name, legacy external name, external key, else <namespace>_<key>", () => {
    expect(networkName("n", { name: "x" }, "s")).toBe("x");
    expect(networkName("n", { external: { name: "y" } }, "s")).toBe("y");
    expect(networkName("n", { external: true }, "s")).toBe("n");
    expect(networkName("n", undefined, "s")).toBe("s_n");
  });
});

describe("a one-off job of a service", () => {
  const defs = serviceDefinitions(CONFIG, "bluegreen-lab-green");

  it("is a replicated-job of one task, never restarted, argv as its command's arguments, on the service's networks", () => {
    const spec = jobSpec({ name: "bluegreen-lab-green_app-green-run-x", namespace: "bluegreen-lab-green", definition: defs["app-green"] as never, argv: ["node", "migrate.js"] });
    expect(spec.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    expect(spec.TaskTemplate.RestartPolicy).toEqual({ Condition: "none" });
    expect(spec.TaskTemplate.ContainerSpec).toMatchObject({ Image: "bluegreen-demo/app:v2", Args: ["node", "migrate.js"], Env: ["APP_COLOR=green", "APP_VERSION=v2"] });
    expect(spec.TaskTemplate.ContainerSpec?.Command).toBeUndefined();
    expect(spec.TaskTemplate.Networks).toEqual([{ Target: "bluegreen-lab_net" }]);
    // Not part of the color's stack: stack rm and list leave it alone; it carries its own label.
    expect(spec.Labels).toEqual({ "bluegreen.one-off": "bluegreen-lab-green" });
  });

  it("keeps a service's entrypoint, and refuses a service without an image", () => {
    const withImage = { ...(defs["worker-green"] as never as Record<string, unknown>), image: "w:1" };
    expect(jobSpec({ name: "j", namespace: "n", definition: withImage as never, argv: ["x"] }).TaskTemplate.ContainerSpec?.Command).toEqual(["/bin/worker", "--fast"]);
    expect(() => jobSpec({ name: "j", namespace: "n", definition: defs["worker-green"] as never, argv: ["x"] })).toThrow(/has no image/);
  });
});
