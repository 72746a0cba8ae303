import { describe, expect, it } from "vitest";
import { cliEnv, runStackCommand, stackDeployCommand, stackRmCommand } from "../../../../src/platform/swarm/stack-cli.js";

describe("the stack commands", () => {
  it("deploys every file of the slot against the manager, without asking a registry, pruning removed services", () => {
    expect(stackDeployCommand("docker", "unix:///m.sock", ["a.yml", "b.yml"], "demo-green")).toEqual({
      cmd: "docker",
      args: ["-H", "unix:///m.sock", "stack", "deploy", "--resolve-image", "never", "--prune", "-c", "a.yml", "-c", "b.yml", "demo-green"],
    });
    expect(stackRmCommand("docker", "tcp://m:2375", "demo")).toEqual({ cmd: "docker", args: ["-H", "tcp://m:2375", "stack", "rm", "demo"] });
  });

  it("runs the CLI with the interpolation env, and no DOCKER_HOST/DOCKER_CONTEXT that could point it elsewhere", () => {
    expect(cliEnv({ PATH: "/bin", DOCKER_HOST: "tcp://elsewhere", DOCKER_CONTEXT: "x" }, { APP_VERSION: "v2" })).toEqual({ PATH: "/bin", APP_VERSION: "v2" });
  });

  it("a failing command's error carries its command line, output, the stack's state and what to do", async () => {
    const run = runStackCommand({ cmd: "sh", args: ["-c", "echo 'network x not found' >&2; exit 3"] }, { cwd: "/", env: process.env, state: "Stack s may be partly updated.", todo: "fix it and retry." });
    await expect(run).rejects.toThrow(/`sh -c .*` failed with exit code 3\.\nLast output:\n {2}network x not found\nStack s may be partly updated\. What to do: fix it and retry\./);
  });

  it("an abort stops the command and rejects with an AbortError", async () => {
    const controller = new AbortController();
    const run = runStackCommand({ cmd: "sleep", args: ["30"] }, { cwd: "/", env: process.env, signal: controller.signal, state: "s", todo: "t" });
    setTimeout(() => controller.abort(), 100);
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
  });
});
