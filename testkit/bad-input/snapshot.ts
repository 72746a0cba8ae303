/**
 * What "nothing was changed" means, measured: the stack's containers (ids, states, start times), the
 * proxy's live and preview targets read through the real driver, every file under the state
 * directories (type, mode, content hash), and no image built for the refused version.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { ProxyDriver } from "../../src/proxy/driver.js";

const execFileAsync = promisify(execFile);

export interface Snapshot {
  containers: string[];
  proxy: { live: string; preview: string };
  /** Per watched path: one line per entry below it. */
  files: Record<string, string[]>;
  images: string[];
}

export interface SnapshotSources {
  /** Compose project names of the stack (shared, blue, green). */
  projects: string[];
  proxy: ProxyDriver;
  /** Directories or files whose content must not change. */
  paths: string[];
  /** Image references that must not appear (e.g. the app image of a refused version). */
  forbiddenImages: string[];
}

async function docker(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("docker", args, { timeout: 60_000, maxBuffer: 8 * 1024 * 1024 });
  return stdout;
}

async function containers(projects: string[]): Promise<string[]> {
  if (projects.length === 0) return []; // no filter would list every container on the host
  // Several filters on the same label key are ORed by docker.
  const filters = projects.flatMap((p) => ["--filter", `label=com.docker.compose.project=${p}`]);
  const ids = (await docker(["ps", "-aq", "--no-trunc", ...filters])).split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  // Health is left out on purpose: it is the app's to flap, not bluegreen's to change.
  const lines = await docker(["inspect", "--format", "{{.Id}} {{.Name}} {{.State.Status}} started={{.State.StartedAt}} restarts={{.RestartCount}}", ...ids]);
  return lines.split("\n").filter(Boolean).sort();
}

async function describeTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string): Promise<void> => {
    let info;
    try {
      info = await lstat(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        out.push(`${path.relative(root, p) || "."} absent`);
        return;
      }
      throw err;
    }
    const rel = path.relative(root, p) || ".";
    const mode = (info.mode & 0o7777).toString(8);
    if (info.isSymbolicLink()) out.push(`${rel} link -> ${await readlink(p)}`);
    else if (info.isDirectory()) {
      out.push(`${rel} dir ${mode}`);
      for (const name of (await readdir(p)).sort()) await walk(path.join(p, name));
    } else if (info.isFile()) out.push(`${rel} file ${mode} ${info.size} ${createHash("sha256").update(await readFile(p)).digest("hex").slice(0, 16)}`);
    else out.push(`${rel} ${info.isSocket() ? "socket" : "special"} ${mode}`);
  };
  await walk(root);
  return out;
}

async function images(refs: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const ref of refs) {
    const ids = (await docker(["images", "-q", ref])).trim();
    if (ids) found.push(`${ref} ${ids.split("\n").join(",")}`);
  }
  return found;
}

export async function takeSnapshot(src: SnapshotSources): Promise<Snapshot> {
  const [c, live, preview, img] = await Promise.all([
    containers(src.projects),
    src.proxy.liveTarget().then(String, (e: Error) => `error: ${e.message}`),
    src.proxy.previewTarget().then(String, (e: Error) => `error: ${e.message}`),
    images(src.forbiddenImages),
  ]);
  const files: Record<string, string[]> = {};
  for (const p of src.paths) files[p] = await describeTree(p);
  return { containers: c, proxy: { live, preview }, files, images: img };
}

/** Human-readable differences between two snapshots (empty when nothing changed). */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const problems: string[] = [];
  const listDiff = (what: string, a: string[], b: string[]) => {
    const gone = a.filter((x) => !b.includes(x));
    const added = b.filter((x) => !a.includes(x));
    if (gone.length || added.length) problems.push(`${what} changed: ${[...gone.map((x) => `- ${x}`), ...added.map((x) => `+ ${x}`)].join("; ")}`);
  };
  listDiff("containers", before.containers, after.containers);
  if (before.proxy.live !== after.proxy.live) problems.push(`proxy live target changed: ${before.proxy.live} → ${after.proxy.live}`);
  if (before.proxy.preview !== after.proxy.preview) problems.push(`proxy preview target changed: ${before.proxy.preview} → ${after.proxy.preview}`);
  for (const p of new Set([...Object.keys(before.files), ...Object.keys(after.files)])) listDiff(`files under ${p}`, before.files[p] ?? [], after.files[p] ?? []);
  listDiff("images", before.images, after.images);
  return problems;
}
