import { describe, expect, it } from "vitest";
import { composeArgs, displayCommand } from "../../../src/docker/compose-args.js";

const target = { project: "shop-green", files: ["compose.yml", "compose.green.yml"] };

describe("composeArgs", () => {
  it("builds v2 commands as `docker compose -p project -f file…`", () => {
    expect(composeArgs("v2", target, { verb: "up" })).toEqual({
      cmd: "docker",
      args: ["compose", "-p", "shop-green", "-f", "compose.yml", "-f", "compose.green.yml", "up", "-d", "--no-deps"],
    });
  });

  it("builds v1 commands as `docker-compose -p project -f file…`", () => {
    expect(composeArgs("v1", target, { verb: "up" })).toEqual({
      cmd: "docker-compose",
      args: ["-p", "shop-green", "-f", "compose.yml", "-f", "compose.green.yml", "up", "-d", "--no-deps"],
    });
  });

  it("adds --build and --force-recreate to up only when asked", () => {
    expect(composeArgs("v1", target, { verb: "up", build: true, recreate: true }).args.slice(-5)).toEqual([
      "up",
      "-d",
      "--no-deps",
      "--build",
      "--force-recreate",
    ]);
    expect(composeArgs("v2", target, { verb: "up", build: false, recreate: true }).args.slice(-4)).toEqual([
      "up",
      "-d",
      "--no-deps",
      "--force-recreate",
    ]);
  });

  it("never removes orphans or touches other projects", () => {
    for (const variant of ["v1", "v2"] as const) {
      for (const verb of ["build", "up", "stop", "down"] as const) {
        const { args } = composeArgs(variant, target, { verb });
        expect(args).not.toContain("--remove-orphans");
        expect(args[args.indexOf("-p") + 1]).toBe("shop-green");
      }
    }
  });

  it("passes the stop timeout as -t seconds", () => {
    expect(composeArgs("v2", target, { verb: "stop", timeoutSec: 10 }).args.slice(-3)).toEqual(["stop", "-t", "10"]);
    expect(composeArgs("v1", target, { verb: "stop" }).args.at(-1)).toBe("stop");
  });

  it("adds -v to down only when volumes are to go", () => {
    expect(composeArgs("v1", target, { verb: "down" }).args.at(-1)).toBe("down");
    expect(composeArgs("v2", target, { verb: "down", volumes: true }).args.slice(-2)).toEqual(["down", "-v"]);
  });

  it("asks for the version without a project", () => {
    expect(composeArgs("v2", target, { verb: "version" })).toEqual({ cmd: "docker", args: ["compose", "version"] });
    expect(composeArgs("v1", target, { verb: "version" })).toEqual({ cmd: "docker-compose", args: ["version"] });
  });

  it("keeps arguments with spaces as single arguments and quotes them only for display", () => {
    const cmd = composeArgs("v1", { project: "p", files: ["/tmp/my stack/compose.yml"] }, { verb: "build" });
    expect(cmd.args).toContain("/tmp/my stack/compose.yml");
    expect(displayCommand(cmd)).toBe("docker-compose -p p -f '/tmp/my stack/compose.yml' build");
  });
});
