/**
 * What a proxy needs in proxy.runDir before it starts. The run dir itself is owner-only (it holds
 * the admin sockets); nginx's njs route is read by its workers (user nobody), so its route files
 * live in <runDir>/nginx, which the proxy mounts on its own at /run/bluegreen-route (a mount that
 * does not pass through the owner-only parent). Made here, by bluegreen, before compose runs: a
 * bind source Docker had to create would belong to root and be unwritable for a non-root operator.
 */
import { chmod, lstat, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../config/types.js";
import { refuseSymlink } from "../fs/no-follow.js";

/** Traversable and readable (not writable) by others: the files hold only a color and a host:port. */
const ROUTE_DIR_MODE = 0o755;

/** <runDir>/nginx, created when missing and made 0755 whatever the umask. */
export async function ensureNginxRouteDir(runDir: string): Promise<string> {
  const dir = join(runDir, "nginx");
  await refuseSymlink(dir);
  await mkdir(dir, { recursive: true, mode: ROUTE_DIR_MODE });
  const info = await lstat(dir);
  if ((info.mode & 0o777) !== ROUTE_DIR_MODE) await chmod(dir, ROUTE_DIR_MODE);
  return dir;
}

/** Prepares proxy.runDir for the configured proxy (after it was made private). */
export async function prepareRunDir(config: Pick<Config, "proxy">): Promise<void> {
  if (config.proxy.driver === "nginx") await ensureNginxRouteDir(config.proxy.runDir);
}
