import type { HistoryEntry, HookRecord, MigrationRecord } from "../../engine/ports.js";

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function how(run: { ok: boolean; exitCode: number | null; timedOut: boolean; ms: number }): string {
  if (run.ok) return `ok ${secs(run.ms)}`;
  if (run.timedOut) return `FAILED: timed out after ${secs(run.ms)}`;
  return `FAILED: ${run.exitCode === null ? "killed" : `exit ${run.exitCode}`} after ${secs(run.ms)}`;
}

function outputLines(output: string[] | undefined): string[] {
  return (output ?? []).map((line) => `        | ${line}`);
}

function migrationLines(m: MigrationRecord): string[] {
  return [`    ${m.step === "expand" ? "migrate " : "contract"}  ${m.color} ${m.version}  ${m.command.join(" ")}  ${how(m)}`, ...outputLines(m.output)];
}

function hookLines(h: HookRecord): string[] {
  return [`    hook      ${h.point}  ${how(h)}`, ...outputLines(h.output)];
}

/**
 * The release steps of one entry (migrations and hooks), in the order their phases ran, with a failed
 * run's last output lines. Records without a phase (older entries) follow in their own order.
 */
export function releaseStepLines(entry: HistoryEntry): string[] {
  const migrations = [...(entry.migrations ?? [])];
  const hooks = [...(entry.hooks ?? [])];
  const take = <T>(list: T[], match: (item: T) => boolean): T | null => {
    const i = list.findIndex(match);
    return i < 0 ? null : (list.splice(i, 1)[0] ?? null);
  };
  const lines: string[] = [];
  for (const phase of Object.keys(entry.phases)) {
    if (phase === "migrate" || phase === "contract") {
      const m = take(migrations, (r) => r.step === (phase === "migrate" ? "expand" : "contract"));
      if (m) lines.push(...migrationLines(m));
    } else if (phase.startsWith("hook:")) {
      const h = take(hooks, (r) => `hook:${r.point}` === phase);
      if (h) lines.push(...hookLines(h));
    }
  }
  for (const m of migrations) lines.push(...migrationLines(m));
  for (const h of hooks) lines.push(...hookLines(h));
  return lines;
}

/** One history entry as plain text: the summary line, its release steps, the error's first line. */
export function renderHistoryEntryText(e: HistoryEntry): string[] {
  const change = `${e.from.color ?? "-"}(${e.from.version ?? "-"}) → ${e.to.color ?? "-"}(${e.to.version ?? "-"})`;
  const total = Object.values(e.phases).reduce((a, b) => a + b, 0);
  const failed = e.failedPhases?.length ? `  failed: ${e.failedPhases.join(", ")}` : "";
  const head = `${e.time}  ${e.outcome.padEnd(11)} ${e.command.padEnd(28)} ${change}  ${secs(total)}  ${e.user}@${e.host}${failed}`;
  return [head, ...releaseStepLines(e), ...(e.error ? [`    ${e.error.split("\n")[0] ?? ""}`] : [])];
}
