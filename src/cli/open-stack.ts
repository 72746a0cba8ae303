import { lstat } from "node:fs/promises";
import { ConfigError } from "../config/errors.js";
import type { Config } from "../config/types.js";
import type { Engine } from "../engine/engine.js";
import type { Ports } from "../engine/ports.js";
import { ensurePrivateDir, groupId, PrivateDirError } from "../fs/private-dir.js";
import { prepareRunDir } from "../proxy/run-dir.js";
import { userCacheDir } from "../fs/user-cache.js";
import { learnSecrets } from "./output-masking.js";

export interface Stack {
  config: Config;
  ports: Ports;
  engine: Engine;
}

/**
 * Loads the config, refuses a symlinked state path or run dir, and makes both directories private
 * (the run dir holds the proxies' admin sockets) before any command reads or writes state or talks
 * to the proxy: a configuration problem (exit 2, nothing changed), not a conflict `resolve` could settle.
 */
export async function loadStackConfig(configFile: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  // The config's parser (yaml, zod) loads here, not when the CLI starts, and only when the config's
  // inputs changed since it was last validated (config/cache.ts): --help and --version skip it.
  const [{ loadConfigCached }, { ensureStateDir, refuseSymlinkedStatePaths, SymlinkRefusedError }] = await Promise.all([import("../config/cache.js"), import("../state/files.js")]);
  const { config } = await loadConfigCached(configFile, env, {
    dir: userCacheDir(env),
    load: async (file, e) => (await import("../config/load.js")).loadConfig(file, e),
  });
  learnSecrets(config.env);
  try {
    await refuseSymlinkedStatePaths(config.stateDir);
  } catch (err) {
    if (!(err instanceof SymlinkRefusedError)) throw err;
    throw new ConfigError([{ file: configFile, line: null, col: null, path: "stateDir", message: `${err.message} Or set stateDir to the real directory.` }]);
  }
  try {
    const group = config.proxy.socketGroup === undefined ? null : groupId(config.proxy.socketGroup);
    await ensurePrivateDir(config.proxy.runDir, { what: "proxy.runDir", group });
    await prepareRunDir(config);
  } catch (err) {
    if (!(err instanceof SymlinkRefusedError || err instanceof PrivateDirError)) throw err;
    throw new ConfigError([{ file: configFile, line: null, col: null, path: "proxy.runDir", message: err.message }]);
  }
  // An existing state dir from before state became owner-only is made so now; a missing one waits for the first write.
  if (await isDirectory(config.stateDir)) await ensureStateDir(config.stateDir);
  return config;
}

/**
 * The engine with every real adapter for one stack. The adapters (dockerode with its gRPC stack,
 * undici, ws…) are loaded only once the configuration is known to be valid: `--help`, usage and
 * configuration errors answer without paying for them.
 */
export async function openStack(configFile: string, env: NodeJS.ProcessEnv = process.env): Promise<Stack> {
  const config = await loadStackConfig(configFile, env);
  const [{ createPorts }, { Engine }] = await Promise.all([import("./wire.js"), import("../engine/engine.js")]);
  const ports = createPorts(config);
  return { config, ports, engine: new Engine(ports) };
}

async function isDirectory(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null))?.isDirectory() === true;
}
