import { execFile } from "node:child_process";
import type { ExecResult } from "../src/docker/types.js";
import type { ProxyExec } from "../src/proxy/exec.js";

/**
 * `docker exec` through the docker CLI, to compare with the dockerode adapter the engine passes
 * the nginx driver (each CLI call starts a docker client process). The proxy integration tests use
 * it too; it lives here because the bench is built to dist/ and must not import from test/.
 */
export const dockerCliExec: ProxyExec = {
  exec(container: string, argv: string[]): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      execFile("docker", ["exec", container, ...argv], { timeout: 30_000 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(error);
          return;
        }
        resolve({ exitCode: error ? Number(error.code) : 0, stdout, stderr });
      });
    });
  },
};
