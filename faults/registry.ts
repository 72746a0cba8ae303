/**
 * Finds the scenario groups: every folder under faults/ with an index.ts (or compiled index.js)
 * exporting `group`. Discovered, not imported statically, so the bad-input and security groups can
 * be added by their owner without touching the runner.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ScenarioGroup } from "./types.js";

const FAULTS_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Fast groups first, so a bad-input failure shows before the long runtime scenarios. */
const ORDER = ["bad-input", "security", "runtime"];

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function isGroup(value: unknown): value is ScenarioGroup {
  return typeof value === "object" && value !== null && typeof (value as ScenarioGroup).name === "string" && typeof (value as ScenarioGroup).run === "function";
}

export async function discoverGroups(): Promise<ScenarioGroup[]> {
  const entries = await readdir(FAULTS_DIR, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name);
  folders.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const groups: ScenarioGroup[] = [];
  for (const folder of folders) {
    const candidates = ["index.ts", "index.js"].map((f) => path.join(FAULTS_DIR, folder, f));
    let entry: string | undefined;
    for (const c of candidates) if (await exists(c)) { entry = c; break; }
    if (!entry) continue;
    const mod = (await import(pathToFileURL(entry).href)) as { group?: unknown };
    if (!isGroup(mod.group)) {
      throw new Error(`faults/${folder}/${path.basename(entry)} does not export \`group\` (a ScenarioGroup from faults/types.ts); export one or move the folder out of faults/`);
    }
    groups.push(mod.group);
  }
  return groups;
}

function rank(folder: string): number {
  const i = ORDER.indexOf(folder);
  return i === -1 ? ORDER.length : i;
}
