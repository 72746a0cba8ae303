/**
 * SIGTERM while docker-compose builds the new color: the abort reaches compose's process group, so
 * the deploy ends within seconds (not when the build would have finished) and leaves the old color
 * serving. The build here takes two minutes on purpose.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBluegreenStack, type BluegreenStack } from "../../testkit/bluegreen-stack.js";

const exec = promisify(execFile);
const SLOW_SECONDS = 120;

async function waitFor(check: () => boolean, what: string, timeoutMs: number, show: () => string): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}:\n${show()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Processes whose command line names `needle` (compose runs with `-p <project>`). */
async function processesNaming(needle: string): Promise<string[]> {
  const { stdout } = await exec("ps", ["-eo", "pid,stat,args"]);
  return stdout.split("\n").filter((l) => l.includes(needle) && !/\sZ/.test(l.slice(0, 16)) && !l.includes("ps -eo"));
}

describe("an interrupted deploy stops its compose child", () => {
  let stack: BluegreenStack;
  let image = "";
  beforeAll(async () => {
    stack = await startBluegreenStack({ name: "bgt-interrupt", proxy: "haproxy", proxyPort: 18731, previewPort: 18732, keepOldWarm: false });
    // green builds from a Dockerfile whose RUN step takes two minutes.
    const slow = path.join(stack.dir, "slow");
    await mkdir(slow, { recursive: true });
    await writeFile(path.join(slow, "Dockerfile"), `FROM bluegreen/base-node:local\nRUN node -e "setTimeout(() => {}, ${SLOW_SECONDS * 1000})"\n`);
    image = `bgt-interrupt-slow/${stack.demo.name}:slow1`;
    await writeFile(
      path.join(stack.dir, "compose.green.yml"),
      `version: "3.8"\nservices:\n  app-green:\n    build: { context: ${JSON.stringify(slow)} }\n    image: ${image}\n    labels: { bluegreen.color: green, bluegreen.version: slow1 }\nnetworks:\n  default:\n    external: true\n    name: ${stack.demo.name}_net\n`,
    );
    const config = await readFile(stack.configPath, "utf8");
    await writeFile(stack.configPath, config.replace(/^ {2}green: .*$/m, `  green: ${JSON.stringify(path.join(stack.dir, "compose.green.yml"))}`));
  });
  afterAll(async () => {
    await exec("docker", ["image", "rm", "-f", image]).catch(() => undefined);
    await stack?.destroy();
  });

  it("SIGTERM during the build ends the deploy within a few seconds with exit 130, blue still live, no compose left", async () => {
    const run = stack.spawnCli(["deploy", "--version", "slow1", "--yes", "--json"]);
    try {
      await waitFor(() => run.output.stdout.includes('"phase":"build","status":"start"'), "the build phase", 120_000, () => run.output.stdout + run.output.stderr);
      // Let compose reach the slow RUN step, so the interrupt hits a real build in progress.
      await waitFor(() => /RUN node -e/.test(run.output.stdout), "the slow RUN step", 60_000, () => run.output.stdout);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await processesNaming(`${stack.demo.name}-green`)).not.toEqual([]);

      const t0 = Date.now();
      run.child.kill("SIGTERM");
      const end = await run.exited;
      const seconds = (Date.now() - t0) / 1000;
      console.log(`[figures] SIGTERM during docker-compose build → bluegreen exited in ${seconds.toFixed(1)} s`);

      expect(end.code, end.stdout.slice(-3000) + end.stderr).toBe(130);
      expect(seconds).toBeLessThan(15);
      const result = JSON.parse(end.stdout.trim().split("\n").at(-1) as string) as { outcome: string; active: string; stateNow: string; phases: Array<{ phase: string; status: string }> };
      expect(result).toMatchObject({ outcome: "aborted", active: "blue" });
      expect(result.phases.find((p) => p.phase === "build")?.status).toBe("failed");
      expect(result.stateNow).toContain("blue (v1) still serves all live traffic");
      // Nothing of the compose run is left behind.
      expect(await processesNaming(`${stack.demo.name}-green`)).toEqual([]);
    } finally {
      run.child.kill("SIGKILL");
    }

    const live = await fetch(stack.demo.liveUrl);
    expect(live.headers.get("x-app-color")).toBe("blue");
    await live.arrayBuffer();
    const status = await stack.cli(["status", "--json"]);
    const doc = JSON.parse(status.stdout) as { active: string; slots: { green: { running: boolean } }; conflicts: unknown[]; lock: unknown };
    expect(doc).toMatchObject({ active: "blue", conflicts: [], lock: null });
    expect(doc.slots.green.running).toBe(false);
  }, 300_000);
});
