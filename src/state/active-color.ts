/**
 * state.json: which color bluegreen last made live, the one before, and the versions each runs.
 * It records intent and history; the proxy remains the source of truth for live traffic.
 */
import { join } from "node:path";
import * as z from "zod";
import type { Color } from "../domain/color.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { readFileNoFollow } from "../fs/no-follow.js";
import { ensureStateDir, FILE_MODE, STATE_FILE } from "./files.js";

export interface StackState {
  active: Color | null;
  previous: Color | null;
  versions: { blue?: string; green?: string };
  /** The non-active color is deliberately kept running for instant rollback. */
  warm: boolean;
  /** ISO 8601 time of the last write. */
  updatedAt: string;
  /** Who wrote it: "user@host (command)". */
  updatedBy: string;
}

export type StateUpdate = Omit<StackState, "updatedAt">;

const color = z.enum(["blue", "green"]);
const stateSchema = z.object({
  active: color.nullable(),
  previous: color.nullable(),
  versions: z.object({ blue: z.string().optional(), green: z.string().optional() }),
  warm: z.boolean(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

/** state.json exists but cannot be used: says which file, what is wrong and how to fix it. */
export class StateFileError extends Error {
  override readonly name = "StateFileError";
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(
      `state file ${path} ${problem}. bluegreen does not know which color it made live; traffic is unaffected (the proxy keeps routing as before). ` +
        "Run `bluegreen resolve` to rewrite it from what the proxy reports, or move the file away to start fresh.",
    );
  }
}

export function statePath(stateDir: string): string {
  return join(stateDir, STATE_FILE);
}

/** The recorded state, or null when the stack was never deployed by bluegreen (no state.json). */
export async function readState(stateDir: string): Promise<StackState | null> {
  const path = statePath(stateDir);
  const text = await readFileNoFollow(path);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(path, `is not valid JSON (${(err as Error).message})`);
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? `${first.path.join(".")}: ` : "";
    throw new StateFileError(path, `does not have the expected shape (${where}${first?.message ?? "invalid"})`);
  }
  const { active, previous, versions, warm, updatedAt, updatedBy } = parsed.data;
  return { active, previous, versions: { ...versions }, warm, updatedAt, updatedBy };
}

/** Writes state.json atomically (temp + fsync + rename + fsync dir) and returns what was written. */
export async function writeState(stateDir: string, update: StateUpdate, now: Date = new Date()): Promise<StackState> {
  await ensureStateDir(stateDir);
  const { active, previous, versions, warm, updatedBy } = update;
  const state: StackState = { active, previous, versions: { ...versions }, warm, updatedAt: now.toISOString(), updatedBy };
  await writeFileAtomic(statePath(stateDir), `${JSON.stringify(state, null, 2)}\n`, { mode: FILE_MODE });
  return state;
}
