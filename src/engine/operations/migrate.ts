import { otherColor } from "../../domain/color.js";
import type { OperationContext } from "../context.js";
import { EngineError, errorMessage } from "../errors.js";
import { readStatus } from "../status.js";
import { MigrationFailed, runMigration } from "../release/migrate.js";
import type { OperationOutcome } from "./outcome.js";

/**
 * `bluegreen migrate [--contract]`: the configured migration on its own, in a one-off container of
 * the live release, under the stack's lock. The contract step refuses while the other color runs:
 * it may still need what the contract removes.
 */
export async function migrate(ctx: OperationContext, args: { contract: boolean }): Promise<OperationOutcome> {
  const m = ctx.config.migrate;
  const step = args.contract ? "contract" : "expand";
  if (!m || (args.contract && !m.contract)) {
    throw new EngineError(
      "usage",
      args.contract ? "no contract step is configured (migrate.contract)" : "no migration is configured (migrate.service and migrate.command)",
      "nothing was changed",
      `add ${args.contract ? "migrate.contract" : "a migrate section"} to ${ctx.config.file} (see docs/hooks.md, "Migrations")`,
    );
  }
  const status = await ctx.phase("preflight", () => readStatus(ctx.ports));
  const live = status.active;
  const version = live ? (status.slots[live].version ?? status.state?.versions[live] ?? null) : null;
  if (!live || !version) {
    throw new EngineError("failed", "no release is live, so there is no image to run the migration in", "nothing was changed", "deploy a version (`bluegreen deploy --version V` runs the migration itself)");
  }
  ctx.subject = { from: { color: live, version }, to: { color: live, version } };
  const other = otherColor(live);
  if (args.contract && status.slots[other].running) {
    throw new EngineError(
      "failed",
      `${other} (${status.slots[other].version ?? "?"}) is still running and may need what the contract step removes`,
      `nothing was changed; ${live} (${version}) serves live traffic`,
      `stop it first (\`bluegreen cleanup\`), then run \`bluegreen migrate --contract\` again`,
    );
  }
  const argv = (args.contract ? m.contract : m.command) ?? [];
  const ok = await ctx.phase("confirm", () =>
    ctx.confirm({
      id: "migrate",
      question: `Run the ${step} migration against the shared services?`,
      facts: [
        ["live", `${live} (${version})`],
        ["runs", `${argv.join(" ")} in a one-off ${m.service}-${live} container of ${version}`],
      ],
      consequence: "the shared database's schema changes (the migration runs in one transaction when it is written so)",
    }),
  );
  if (!ok) throw new EngineError("declined", "the migration was not confirmed", `nothing was changed; ${live} (${version}) serves live traffic`, "run again and confirm, or pass --yes");
  try {
    await runMigration(ctx, step, live, version);
  } catch (err) {
    if (!(err instanceof MigrationFailed)) throw err;
    throw new EngineError("failed", errorMessage(err), `${live} (${version}) still serves live traffic; the migration's own transaction decides what changed`, "fix the migration and run `bluegreen migrate` again", { cause: err });
  }
  return {
    outcome: "success",
    message: `the ${step} migration ran in ${m.service}-${live} (${version}): ${argv.join(" ")}`,
    from: ctx.subject.from,
    to: ctx.subject.to,
  };
}
