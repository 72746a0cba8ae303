/**
 * Directories only their owner (and optionally one group) may enter: the proxy run dir, whose admin
 * sockets reroute live traffic to whoever can connect, and the state dir. The directory is the
 * boundary because a proxy does not always let us choose its socket's mode (nginx makes every unix
 * listener 0666). Modes are set exactly, whatever the umask.
 */
import { readFileSync } from "node:fs";
import { chmod, chown, lstat, mkdir } from "node:fs/promises";
import { refuseSymlink } from "./no-follow.js";

export interface PrivateDirOptions {
  /** How the operator names this directory in messages, e.g. "proxy.runDir". */
  what: string;
  /** A group let in (read + traverse); setgid, so files and sockets created inside get the group too. */
  group?: number | null;
}

/** A private directory could not be made so; says what to do. */
export class PrivateDirError extends Error {
  override readonly name = "PrivateDirError";
}

/** Creates `dir` when missing and makes it owner-only (0700), or 2750 with `group`. */
export async function ensurePrivateDir(dir: string, opts: PrivateDirOptions): Promise<void> {
  await refuseSymlink(dir);
  const group = opts.group ?? null;
  const mode = group === null ? 0o700 : 0o2750;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  if (!info.isDirectory()) throw new PrivateDirError(`${opts.what} ${dir} is not a directory. Nothing was changed. Remove it or point ${opts.what} elsewhere, then run again.`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new PrivateDirError(
      `${opts.what} ${dir} belongs to uid ${info.uid}, not to the user running bluegreen (uid ${uid}), so bluegreen cannot make it private ` +
        `(whoever can enter it can reroute live traffic through the proxy's admin socket). Nothing was changed. ` +
        `Run \`chown ${uid} ${dir}\` (or remove it: bluegreen creates it), then run again.`,
    );
  }
  if (group !== null && info.gid !== group) await chown(dir, info.uid, group);
  if ((info.mode & 0o7777) !== mode || (group !== null && info.gid !== group)) await chmod(dir, mode);
}

/** The gid of a group given by number or by name (from /etc/group). */
export function groupId(nameOrId: string | number): number {
  if (typeof nameOrId === "number" || /^\d+$/.test(nameOrId)) return Number(nameOrId);
  let text = "";
  try {
    text = readFileSync("/etc/group", "utf8");
  } catch {
    // no group database: fall through to "unknown"
  }
  for (const line of text.split("\n")) {
    const [name, , gid] = line.split(":");
    if (name === nameOrId && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new PrivateDirError(`group "${nameOrId}" is not in /etc/group; create it (groupadd ${nameOrId}) or give its number, then run again.`);
}
