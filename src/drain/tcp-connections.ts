import type { ContainerInfo, DockerPort } from "../docker/types.js";
import type { ConnectionCounter } from "../platform/compose/platform.js";

const ESTABLISHED = "01";

/**
 * Pure: counts ESTABLISHED connections whose local port is `port` in /proc/net/tcp{,6} text
 * (format: "sl local_address rem_address st …", addresses as HEXIP:HEXPORT).
 */
export function countEstablished(procNetTcp: string, port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let n = 0;
  for (const line of procNetTcp.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[0] === "sl") continue;
    const local = cols[1] ?? "";
    if (local.endsWith(`:${hexPort}`) && cols[3] === ESTABLISHED) n++;
  }
  return n;
}

/**
 * Open connections served by a color: read inside each container (its own network namespace) with
 * `cat /proc/net/tcp /proc/net/tcp6` — argv, no shell. A container where that fails counts as 0
 * connections, with the failure reported once through `onWarn`.
 */
export function createConnectionCounter(docker: Pick<DockerPort, "exec">, onWarn?: (msg: string) => void): ConnectionCounter {
  const warned = new Set<string>();
  return {
    async count(containers: ContainerInfo[], port: number) {
      let total = 0;
      for (const c of containers) {
        const res = await docker.exec(c.id, ["cat", "/proc/net/tcp", "/proc/net/tcp6"]).catch((err: unknown) => ({ exitCode: -1, stdout: "", stderr: String(err) }));
        if (res.exitCode !== 0 && !res.stdout) {
          if (!warned.has(c.id)) {
            warned.add(c.id);
            onWarn?.(`cannot count connections in ${c.name} (${res.stderr.trim() || `exit ${res.exitCode}`}); draining by timeout only`);
          }
          continue;
        }
        total += countEstablished(res.stdout, port);
      }
      return total;
    },
  };
}
