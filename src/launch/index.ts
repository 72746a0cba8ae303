/**
 * What bin/bluegreen.cjs runs (bundled to dist/cli/launch.cjs): the CLI bundle with its code cache,
 * ink registered for the TUI, and the cache written once the command is done (so writing it never
 * delays the command's own work).
 */
import { userCacheDir } from "../fs/user-cache.js";
import { loadScriptWithCodeCache } from "./code-cache.js";
import { registerEsmOnly } from "./esm-only.js";

interface CliBundle {
  main(argv: string[]): Promise<number>;
}

export async function runCli(bundle: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  registerEsmOnly({ ink: () => import("ink") });
  const loaded = loadScriptWithCodeCache<CliBundle>(bundle, { dir: userCacheDir(env), key: commandWord(args) });
  const code = await loaded.exports.main(args);
  await loaded.saveCache();
  return code;
}

/** The command a CLI argument list runs ("rollback"), past the global -c/--config option; "help" for any help, "none" for the dashboard. */
export function commandWord(args: string[]): string {
  // `rollback --help` compiles the help, not the rollback: it must not become rollback's cache.
  if (args.some((a) => a === "-h" || a === "--help") || args[0] === "help") return "help";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-c" || arg === "--config") {
      i++;
      continue;
    }
    if (arg.startsWith("-")) continue;
    return arg;
  }
  return "none";
}
