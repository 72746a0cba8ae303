/**
 * The bad-input cases: each is one CLI invocation an operator (or a broken pipeline) could make, the
 * exit code it must end with, and what its message must name. The harness adds the common bar:
 * no change to containers, proxy or state files, and no failed request through the live route.
 */
import { access, mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { ExitCode } from "../../src/domain/exit-codes.js";

export interface CaseContext {
  /** A fresh directory for this case; the CLI runs with it as the working directory. */
  dir: string;
  /** The stack's working bluegreen.yml (absolute path) and its text. */
  goodConfig: string;
  goodText: string;
  /** The live route of the stack (requests only to 127.0.0.1). */
  liveUrl: string;
  /** A port in the suite's range where nothing listens. */
  closedPort: number;
  /** A file that a shell injection would create; it must never exist. */
  pwnedFile: string;
  /** Writes `text` to `<dir>/<name>` and returns the path. */
  write(name: string, text: string): Promise<string>;
  /** The good config with `from` replaced by `to`; throws when `from` does not occur (the case must really change something). */
  edit(from: string | RegExp, to: string): string;
}

export interface Prepared {
  /** What -c gets: default the stack's good config. */
  config?: string;
  /** More paths whose content must not change (e.g. a symlink's target). */
  watch?: string[];
}

export interface BadInputCase {
  name: string;
  args: string[] | ((ctx: CaseContext) => string[]);
  env?: Record<string, string>;
  prepare?: (ctx: CaseContext) => Promise<Prepared>;
  exit: number;
  /** Every pattern must occur in stderr + stdout. */
  messages: RegExp[];
  /** No pattern may occur in stderr + stdout (e.g. a password from the input). */
  forbidden?: RegExp[];
  /** Takes the stack's lock if it gets that far: run it alone, not next to other cases. */
  exclusive?: boolean;
  /** Extra checks after the run; returns problems. */
  after?: (ctx: CaseContext) => Promise<string[]>;
}

/** The version every config case tries to deploy: its image must never be built. */
export const REFUSED_VERSION = "bad9";
const DEPLOY = ["deploy", "--version", REFUSED_VERSION, "--yes"];
const NOTHING_CHANGED = /nothing was changed/i;

/** A config case: the edited config is written as <case dir>/bluegreen.yml, then `args` run against it. */
function configCase(name: string, edit: (ctx: CaseContext) => string | Promise<string>, messages: RegExp[], more: Partial<BadInputCase> = {}): BadInputCase {
  return {
    name,
    args: DEPLOY,
    exit: ExitCode.Usage,
    messages: [...messages, NOTHING_CHANGED],
    prepare: async (ctx) => ({ config: await ctx.write("bluegreen.yml", await edit(ctx)) }),
    ...more,
  };
}

function versionCase(name: string, version: string | ((ctx: CaseContext) => string), more: Partial<BadInputCase> = {}): BadInputCase {
  return {
    name,
    args: (ctx) => ["deploy", "--version", typeof version === "string" ? version : version(ctx), "--yes"],
    exit: ExitCode.Usage,
    messages: [/invalid --version/, NOTHING_CHANGED],
    ...more,
  };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

const notPwned = async (ctx: CaseContext): Promise<string[]> => ((await exists(ctx.pwnedFile)) ? [`${ctx.pwnedFile} was created: the version reached a shell`] : []);

function confirmationCase(command: string[], what: RegExp): BadInputCase {
  return { name: `non-TTY ${command.join(" ")} without --yes`, args: command, exit: ExitCode.NotConfirmed, messages: [what, /needs a confirmation/, /Pass --yes/, NOTHING_CHANGED] };
}

/** A state dir for a symlink case: the config points at it, with `make` adding the link. */
function symlinkCase(name: string, args: string[], link: RegExp, make: (stateDir: string, targetDir: string) => Promise<void>): BadInputCase {
  return {
    name,
    args,
    exit: ExitCode.Usage,
    messages: [link, /is a symbolic link/, /refuses/, NOTHING_CHANGED],
    prepare: async (ctx) => {
      const stateDir = path.join(ctx.dir, "state");
      const targetDir = path.join(ctx.dir, "elsewhere");
      await mkdir(targetDir, { recursive: true });
      await writeFile(path.join(targetDir, "victim.json"), '{"do not":"touch"}\n');
      await make(stateDir, targetDir);
      return { config: await ctx.write("bluegreen.yml", ctx.edit(/^stateDir: .*$/m, `stateDir: ${JSON.stringify(stateDir)}`)), watch: [stateDir, targetDir] };
    },
  };
}

export const BAD_INPUT_CASES: BadInputCase[] = [
  // --- the configuration file -------------------------------------------------------------
  configCase("malformed YAML (unclosed flow sequence)", (c) => c.edit("services: [app]", "services: [app"), [/bluegreen\.yml:\d+:\d+/, /YAML syntax/]),
  configCase("malformed YAML (tab indentation)", (c) => c.edit(/^ {2}driver:/m, "\tdriver:"), [/YAML syntax: Tabs are not allowed as indentation/]),
  configCase("duplicate key", (c) => `${c.goodText}keepOldWarm: false\n`, [/YAML syntax: Map keys must be unique/]),
  configCase("empty config file", () => "", [/bluegreen\.yml:1:1 is empty/]),
  configCase("a list instead of a mapping", () => "- stack: x\n", [/expected a mapping, found a list/]),
  configCase("unknown top-level key (did you mean)", (c) => c.edit("keepOldWarm:", "keepOldWram:"), [/keepOldWram: unknown key \(did you mean "keepOldWarm"\?\)/]),
  configCase("unknown nested key (did you mean)", (c) => c.edit(/^ {2}driver:/m, "  drivr:"), [/proxy\.drivr: unknown key \(did you mean "driver"\?\)/]),
  configCase("unknown proxy driver (did you mean)", (c) => c.edit(/driver: \w+/, "driver: haprxy"), [/proxy\.driver: "haprxy" is not one of nginx, caddy, haproxy \(did you mean "haproxy"\?\)/]),
  configCase("wrong type: services is a string", (c) => c.edit("services: [app]", "services: app"), [/services: expected a list, found "app"/]),
  configCase("wrong type: keepOldWarm is a string", (c) => c.edit(/^keepOldWarm: \w+$/m, 'keepOldWarm: "yes"'), [/keepOldWarm: expected true or false, found "yes"/]),
  configCase("bad duration (unknown unit)", (c) => c.edit(/^health: \{ timeout: [^,]+,/m, "health: { timeout: 10 parsecs,"), [/health\.timeout: "10 parsecs" is not a duration/]),
  configCase("negative duration", (c) => c.edit(/^drain: .*$/m, "drain: { timeout: -5s }"), [/drain\.timeout: "-5s" is not a duration/]),
  { name: "bad duration from the environment", args: DEPLOY, env: { HEALTH_CHECK_TIMEOUT: "soon" }, exit: ExitCode.Usage, messages: [/HEALTH_CHECK_TIMEOUT: "soon" is not a duration/, NOTHING_CHANGED] },
  configCase("invalid stack name", (c) => c.edit(/^stack: .*$/m, 'stack: "Bad Name!"'), [/stack: "Bad Name!" is not a valid stack name/]),
  configCase("live URL with credentials (password not echoed)", (c) => c.edit(/live: http:\/\//, "live: http://admin:hunter2pw@"), [/proxy\.live: .*carries credentials/], { forbidden: [/hunter2pw/] }),
  configCase("unset ${VAR} in the config", (c) => c.edit(/^stack: .*$/m, "stack: ${BGT_BAD_UNSET_VAR}"), [/BGT_BAD_UNSET_VAR is not set in the environment/]),
  // --- files the configuration names ------------------------------------------------------
  configCase("missing compose file", (c) => c.edit(/^ {2}blue: .*$/m, "  blue: ./missing/compose.blue.yml"), [/compose\.blue: missing\/compose\.blue\.yml does not exist/]),
  configCase("compose path is a directory", (c) => c.edit(/^ {2}blue: .*$/m, '  blue: "."'), [/compose\.blue: .* is not a regular file/]),
  configCase(
    "compose file with broken YAML",
    async (c) => {
      await c.write("compose.green.yml", "services:\n  app-green: [\n    image: x\n");
      return c.edit(/^ {2}green: .*$/m, "  green: ./compose.green.yml");
    },
    [/compose\.green\.yml:\d+:\d+ YAML syntax/],
  ),
  configCase("service in config but not in compose", (c) => c.edit("services: [app]", "services: [app, worker]"), [/has no service "worker-blue"/, /has no service "worker-green"/]),
  configCase("proxy service not in compose", (c) => c.edit(/^ {2}service: .*$/m, "  service: web"), [/has no service "web"/]),
  configCase("smoke spec missing", (c) => c.edit(/^smoke: .*$/m, "smoke: { spec: ./missing-spec.yml }"), [/smoke\.spec: missing-spec\.yml does not exist/]),
  configCase(
    "invalid smoke spec (deploy)",
    async (c) => {
      await c.write("spec.yml", "checks: 5\n");
      return c.edit(/^smoke: .*$/m, "smoke: { spec: ./spec.yml }");
    },
    [/the smoke spec is invalid/, /spec\.yml:\d+:\d+/],
    { exclusive: true },
  ),
  configCase(
    "invalid smoke spec (smoke --target)",
    async (c) => {
      await c.write("spec.yml", "checks: 5\n");
      return c.edit(/^smoke: .*$/m, "smoke: { spec: ./spec.yml }");
    },
    [],
    // smoke changes nothing by design; its message says nothing was checked and what to fix.
    { args: (c) => ["smoke", "--target", c.liveUrl], messages: [/smoke spec .*spec\.yml is invalid/, /nothing was checked/, /Fix these and run again/] },
  ),
  {
    name: "smoke --target a closed port",
    args: (c) => ["smoke", "--target", `http://127.0.0.1:${c.closedPort}`],
    exit: ExitCode.Failed,
    messages: [/connection refused/, /smoke FAILED/, NOTHING_CHANGED],
  },
  { name: "smoke --target that is not a URL", args: ["smoke", "--target", "not a url"], exit: ExitCode.Usage, messages: [/smoke target "not a url" is not a URL/] },
  { name: "-c to a missing file", args: ["status"], prepare: async (c) => ({ config: path.join(c.dir, "nope.yml") }), exit: ExitCode.Usage, messages: [/no configuration file at .*nope\.yml/, /-c FILE/, NOTHING_CHANGED] },
  { name: "-c to a directory", args: DEPLOY, prepare: async (c) => ({ config: c.dir }), exit: ExitCode.Usage, messages: [/is a directory, not a configuration file/, NOTHING_CHANGED] },
  // --- commands and flags --------------------------------------------------------------------
  { name: "unknown command (did you mean), not mistaken for --version", args: ["deplyo", "--version", REFUSED_VERSION, "--yes"], exit: ExitCode.Usage, messages: [/unknown command "deplyo" \(did you mean "deploy"\?\)/, NOTHING_CHANGED] },
  { name: "unknown flag", args: [...DEPLOY, "--forse"], exit: ExitCode.Usage, messages: [/unknown option '--forse'/, NOTHING_CHANGED] },
  { name: "deploy without --version", args: ["deploy", "--yes"], exit: ExitCode.Usage, messages: [/required option '--version <version>' not specified/, NOTHING_CHANGED] },
  { name: "unknown color: resolve --keep purple", args: ["resolve", "--keep", "purple", "--yes"], exit: ExitCode.Usage, messages: [/unknown color "purple": use blue or green/, NOTHING_CHANGED] },
  { name: "unknown color: smoke --slot purple", args: ["smoke", "--slot", "purple"], exit: ExitCode.Usage, messages: [/unknown color "purple"/, NOTHING_CHANGED] },
  { name: "smoke --target with --slot", args: ["smoke", "--target", "http://127.0.0.1:1", "--slot", "blue"], exit: ExitCode.Usage, messages: [/--target and --slot are exclusive/, NOTHING_CHANGED] },
  // --- versions ------------------------------------------------------------------------------
  versionCase('version with a space ("a b")', "a b"),
  versionCase("version with a path (../x)", "../x"),
  versionCase("empty version", ""),
  versionCase("version of 200 characters", "v".repeat(200)),
  versionCase("version $(touch …) (no shell runs it)", (c) => `$(touch ${c.pwnedFile})`, { after: notPwned }),
  versionCase("version `touch …` (no shell runs it)", (c) => `\`touch ${c.pwnedFile}\``, { after: notPwned }),
  versionCase("version with ; and && (no shell runs it)", (c) => `v1; touch ${c.pwnedFile} && echo`, { after: notPwned }),
  // --- confirmation without a terminal -----------------------------------------------------
  confirmationCase(["deploy", "--version", REFUSED_VERSION], /deploying bad9/),
  confirmationCase(["switch"], /switching live traffic/),
  confirmationCase(["rollback"], /rolling back/),
  confirmationCase(["cleanup"], /removing the inactive color/),
  confirmationCase(["resolve"], /resolving the conflict/),
  { name: "deploy --json without --yes", args: ["deploy", "--version", REFUSED_VERSION, "--json"], exit: ExitCode.NotConfirmed, messages: [/--json output cannot prompt/, NOTHING_CHANGED] },
  // --- verify --------------------------------------------------------------------------------
  { name: "verify without an operation", args: ["verify"], exit: ExitCode.Usage, messages: [/missing required argument 'operation'/, NOTHING_CHANGED] },
  { name: "verify with an unknown operation", args: ["verify", "--", "explode"], exit: ExitCode.Usage, messages: [/verify wraps one of: switch, rollback, deploy --version V \(got "explode"\)/, NOTHING_CHANGED] },
  { name: "verify -- deploy without --version", args: ["verify", "--", "deploy", "--yes"], exit: ExitCode.Usage, messages: [/deploy needs --version V/, NOTHING_CHANGED] },
  { name: "verify -- deploy with an invalid version", args: ["verify", "--", "deploy", "--version", "a b", "--yes"], exit: ExitCode.Usage, messages: [/invalid --version "a b"/, NOTHING_CHANGED] },
  { name: "verify --connections 0", args: ["verify", "--connections", "0", "--", "switch", "--yes"], exit: ExitCode.Usage, messages: [/--connections must be a whole number from 1 to 1000, got "0"/, NOTHING_CHANGED] },
  { name: "verify --connections -3", args: ["verify", "--connections", "-3", "--", "switch", "--yes"], exit: ExitCode.Usage, messages: [/--connections must be a whole number from 1 to 1000, got "-3"/, NOTHING_CHANGED] },
  { name: "non-TTY verify -- switch without --yes", args: ["verify", "--", "switch"], exit: ExitCode.NotConfirmed, messages: [/verify -- switch needs a confirmation/, NOTHING_CHANGED] },
  // --- the state directory -------------------------------------------------------------------
  symlinkCase("symlinked state file (deploy --yes)", DEPLOY, /state\.json/, async (stateDir, target) => {
    await mkdir(stateDir);
    await symlink(path.join(target, "victim.json"), path.join(stateDir, "state.json"));
  }),
  symlinkCase("symlinked state directory (status)", ["status"], /stateDir: .*state is a symbolic link/, async (stateDir, target) => {
    await symlink(target, stateDir);
  }),
  symlinkCase("symlinked history file (history)", ["history"], /history\.jsonl/, async (stateDir, target) => {
    await mkdir(stateDir);
    await symlink(path.join(target, "victim.json"), path.join(stateDir, "history.jsonl"));
  }),
  symlinkCase("symlinked lock (deploy --yes)", DEPLOY, /state\/lock is a symbolic link/, async (stateDir, target) => {
    await mkdir(stateDir);
    await symlink(target, path.join(stateDir, "lock"));
  }),
];

/** The cases that prove a symlinked state path is refused (also run by the security group). */
export const SYMLINK_CASES = BAD_INPUT_CASES.filter((c) => c.name.startsWith("symlinked "));

/** Ports 18850–18869 belong to bad-input and security; 18850/18851 to the bad-input stack. */
export const BAD_INPUT_PORTS = { live: 18850, preview: 18851, closed: 18869 } as const;
