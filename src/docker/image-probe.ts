/**
 * A look inside an image without running its own command: `docker run --rm --network none
 * --entrypoint <program> <image> <argv…>`, bounded in time. init uses it to learn what the user's
 * proxy image contains (nginx's modules) before it writes a config that depends on it.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";

export interface ImageRunResult {
  /** null when the container did not run to its end (timeout, docker missing). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ImageProbe {
  /** Runs `entrypoint argv` in a throwaway container of `image` (no network, removed after). */
  run(image: string, entrypoint: string, argv: string[], timeoutMs: number): Promise<ImageRunResult>;
}

/** The argv of one probe run (pure: the tests assert it). */
export function imageRunArgv(name: string, image: string, entrypoint: string, argv: string[]): string[] {
  return ["run", "--rm", "--name", name, "--network", "none", "--entrypoint", entrypoint, "--", image, ...argv];
}

export function createImageProbe(opts: { dockerBin?: string; dockerHost?: string | null } = {}): ImageProbe {
  const docker = opts.dockerBin ?? "docker";
  const env = opts.dockerHost ? { ...process.env, DOCKER_HOST: opts.dockerHost } : process.env;
  return {
    run(image, entrypoint, argv, timeoutMs) {
      const name = `bluegreen-probe-${randomBytes(4).toString("hex")}`;
      return new Promise((resolve) => {
        execFile(docker, imageRunArgv(name, image, entrypoint, argv), { env, timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
          const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
          const timedOut = e?.killed === true;
          // Killing the client leaves the container running (a pull, a hung entrypoint): remove it by name.
          if (timedOut) execFile(docker, ["rm", "-f", name], { env, timeout: 10_000 }, () => undefined);
          const exitCode = !e ? 0 : typeof e.code === "number" && !timedOut ? e.code : null;
          resolve({ exitCode, stdout: String(stdout), stderr: e && e.code === "ENOENT" ? `${docker} not found` : String(stderr), timedOut });
        });
      });
    },
  };
}
