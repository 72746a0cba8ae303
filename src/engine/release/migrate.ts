import type { Color } from "../../domain/color.js";
import type { OperationContext } from "../context.js";
import { RECORDED_OUTPUT_LINES, type MigrationRecord } from "../ports.js";
import { versionEnv } from "../steps.js";
import { auditOf, noteFacts } from "./audit.js";

/** A migration that exited non-zero or timed out; the message carries its last output. */
export class MigrationFailed extends Error {
  constructor(
    readonly record: MigrationRecord,
    message: string,
  ) {
    super(message);
    this.name = "MigrationFailed";
  }
}

/**
 * Runs the configured migration (`expand`: migrate.command; `contract`: migrate.contract) as a
 * phase, in a one-off container of `color`'s service at `version`, against the shared services.
 * Throws MigrationFailed on failure. Returns null (and runs nothing) when that step is not configured.
 */
export async function runMigration(ctx: OperationContext, step: "expand" | "contract", color: Color, version: string): Promise<MigrationRecord | null> {
  const m = ctx.config.migrate;
  const argv = step === "expand" ? m?.command : m?.contract;
  if (!m || !argv) return null;
  const service = `${m.service}-${color}`;
  const phase = step === "expand" ? "migrate" : "contract";
  let record: MigrationRecord | null = null;
  try {
    await ctx.phase(
      phase,
      async () => {
        // The same environment as the color's build and start (its version), so the one-off
        // container is the new release's image with the new release's configuration.
        const t0 = ctx.ports.clock.now();
        const result = await ctx.ports.platform.runOnce(color, service, argv, {
          env: versionEnv(ctx, version),
          timeoutMs: m.timeoutMs,
          signal: ctx.signal,
          onLine: (line) => ctx.emit({ type: "output", source: "migrate", line }),
        });
        const ok = result.exitCode === 0;
        const output = ok ? [] : result.lines.slice(-RECORDED_OUTPUT_LINES);
        record = { step, color, version, command: argv, ok, exitCode: result.exitCode, timedOut: result.timedOut, ms: ctx.ports.clock.now() - t0, ...(output.length > 0 ? { output } : {}) };
        if (ok) return;
        const how = result.timedOut
          ? `timed out after ${Math.round(m.timeoutMs / 1000)} s (migrate.timeout); its container was removed`
          : result.aborted
            ? "was interrupted; its container was removed"
            : `exited with ${result.exitCode ?? "no code"}`;
        const tail = result.lines.slice(-15).map((l) => `  | ${l}`).join("\n");
        throw new MigrationFailed(record, `the ${step === "expand" ? "migration" : "contract migration"} (${argv.join(" ")} in ${service} ${version}) ${how}; its last output:\n${tail || "  (none)"}`);
      },
      `${step === "expand" ? "migrating" : "contracting"} the shared services' schema with ${service} ${version}: ${argv.join(" ")}`,
    );
  } finally {
    const r = record as MigrationRecord | null;
    if (r) {
      auditOf(ctx).migrations.push(r);
      noteFacts(ctx, { migrate: { ok: r.ok, step } });
    }
  }
  return record;
}
