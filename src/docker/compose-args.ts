import type { ComposeTarget } from "./types.js";

export type ComposeVariant = "v2" | "v1";

/** One compose action and its options: the data a command line is built from. */
export type ComposeVerb =
  | { verb: "build"; services?: string[] }
  | { verb: "up"; build?: boolean; recreate?: boolean; services?: string[] }
  | { verb: "stop"; timeoutSec?: number }
  | { verb: "down"; volumes?: boolean }
  | { verb: "version" }
  | { verb: "config" }
  /** A one-off container of `service` running argv (no TTY, no dependencies started, removed after). */
  | { verb: "run"; service: string; argv: string[]; name: string };

export interface ComposeCommand {
  cmd: string;
  args: string[];
}

/**
 * Builds the argument array for one compose call (pure: tests assert the data). Every call names
 * the project and its files, so it acts on that project only. `up` never passes --remove-orphans:
 * the colors and the shared services are separate projects, and one must not remove another's containers.
 */
export function composeArgs(
  variant: ComposeVariant,
  target: Pick<ComposeTarget, "project" | "files">,
  action: ComposeVerb,
): ComposeCommand {
  const base = variant === "v2" ? { cmd: "docker", args: ["compose"] } : { cmd: "docker-compose", args: [] as string[] };
  if (action.verb === "version") return { cmd: base.cmd, args: [...base.args, "version"] };
  const project = ["-p", target.project, ...target.files.flatMap((f) => ["-f", f])];
  return { cmd: base.cmd, args: [...base.args, ...project, ...verbArgs(action)] };
}

function verbArgs(action: Exclude<ComposeVerb, { verb: "version" }>): string[] {
  switch (action.verb) {
    case "build":
      return ["build", ...(action.services ?? [])];
    case "up":
      return ["up", "-d", "--no-deps", ...(action.build ? ["--build"] : []), ...(action.recreate ? ["--force-recreate"] : []), ...(action.services ?? [])];
    case "stop":
      return ["stop", ...(action.timeoutSec === undefined ? [] : ["-t", String(Math.max(0, Math.round(action.timeoutSec)))])];
    case "down":
      return ["down", ...(action.volumes ? ["-v"] : [])];
    case "run":
      return ["run", "--rm", "--no-deps", "-T", "--name", action.name, action.service, ...action.argv];
    case "config":
      return ["config"];
  }
}

/** A command line for messages only (quoted for a human to copy), never for running. */
export function displayCommand(command: ComposeCommand): string {
  return [command.cmd, ...command.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}
