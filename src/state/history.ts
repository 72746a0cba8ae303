/** history.jsonl: one JSON line per operation, appended (O_APPEND + fsync), never rewritten. */
import { constants } from "node:fs";
import { join } from "node:path";
import * as z from "zod";
import { HOOK_POINTS, type HistoryEntry } from "../engine/ports.js";
import { openNoFollow, readFileNoFollow } from "../fs/no-follow.js";
import { ensureStateDir, FILE_MODE, HISTORY_FILE } from "./files.js";

export const OUTCOMES = ["success", "failed", "aborted", "rolled-back", "declined", "noop"] as const satisfies readonly HistoryEntry["outcome"][];
export type Outcome = HistoryEntry["outcome"];

const color = z.enum(["blue", "green"]).nullable();

const entrySchema = z.object({
  time: z.string(),
  user: z.string(),
  host: z.string(),
  /** The command as typed, e.g. "deploy --version v2 --yes". */
  command: z.string(),
  /** The engine operation: deploy, rollback, switch, resolve, cleanup… */
  operation: z.string(),
  from: z.object({ color, version: z.string().nullable() }),
  to: z.object({ color, version: z.string().nullable() }),
  /** Milliseconds per phase, in the order they ran (e.g. {"up": 4200, "health": 3100, "switch": 31}). */
  phases: z.record(z.string(), z.number()),
  /** The phases that failed, in order; absent in entries written before it was recorded. */
  failedPhases: z.array(z.string()).optional(),
  smoke: z.object({ ok: z.boolean(), checks: z.number(), failed: z.number() }).nullable(),
  verify: z.object({ ok: z.boolean(), requests: z.number(), failures: z.number() }).nullable(),
  outcome: z.enum(OUTCOMES),
  error: z.string().nullable(),
  /** Operator hooks that ran, in order (absent in older entries). */
  hooks: z
    .array(z.object({ point: z.enum(HOOK_POINTS), ok: z.boolean(), exitCode: z.number().nullable(), timedOut: z.boolean(), ms: z.number(), output: z.array(z.string()).optional() }))
    .optional(),
  /** Migration runs: expand before the new color starts, contract after the old one stopped. */
  migrations: z
    .array(
      z.object({
        step: z.enum(["expand", "contract"]),
        color: z.enum(["blue", "green"]),
        version: z.string(),
        command: z.array(z.string()),
        ok: z.boolean(),
        exitCode: z.number().nullable(),
        timedOut: z.boolean(),
        ms: z.number(),
        /** A failed run's last output lines. */
        output: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

// The one entry type is the engine's (its history port); the schema checks it at the file's edge.
export type { HistoryEntry };
const _schemaFitsEntry: z.ZodType<HistoryEntry> = entrySchema;
void _schemaFitsEntry;

export interface HistoryRead {
  /** Oldest first; at most `limit` (the most recent ones). */
  entries: HistoryEntry[];
  /** Lines that could not be read (a torn last line after a crash, hand edits), with why. */
  skipped: { line: number; reason: string }[];
}

export function historyPath(stateDir: string): string {
  return join(stateDir, HISTORY_FILE);
}

/** Appends one entry as a single write on an O_APPEND descriptor, then fsyncs. */
export async function appendHistory(stateDir: string, entry: HistoryEntry): Promise<void> {
  const checked = entrySchema.parse(entry);
  await ensureStateDir(stateDir);
  const path = historyPath(stateDir);
  const handle = await openNoFollow(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, FILE_MODE);
  try {
    // A file created before the modes were owner-only (or under another umask) becomes owner-only.
    await handle.chmod(FILE_MODE);
    await handle.write(`${JSON.stringify(checked)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readHistory(stateDir: string, options: { limit?: number } = {}): Promise<HistoryRead> {
  const path = historyPath(stateDir);
  const text = await readFileNoFollow(path);
  if (text === null) return { entries: [], skipped: [] };
  const entries: HistoryEntry[] = [];
  const skipped: HistoryRead["skipped"] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      skipped.push({ line: index + 1, reason: "not valid JSON" });
      return;
    }
    const parsed = entrySchema.safeParse(json);
    if (parsed.success) entries.push(parsed.data);
    else skipped.push({ line: index + 1, reason: `unexpected shape at ${parsed.error.issues[0]?.path.join(".") || "top level"}` });
  });
  const limit = options.limit;
  return { entries: limit !== undefined && limit >= 0 ? entries.slice(Math.max(0, entries.length - limit)) : entries, skipped };
}
