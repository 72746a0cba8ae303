import { ConfigError } from "../config/errors.js";
import type { Config } from "../config/types.js";
import type { Engine } from "../engine/engine.js";
import type { Ports } from "../engine/ports.js";

export interface Stack {
  config: Config;
  ports: Ports;
  engine: Engine;
}

/**
 * Loads the config and refuses a symlinked state path before any command reads or writes state:
 * a configuration problem (exit 2, nothing changed), not a conflict `resolve` could settle.
 */
export async function loadStackConfig(configFile: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  // The config's parser (yaml, zod) loads here, not when the CLI starts: --help and --version skip it.
  const [{ loadConfig }, { refuseSymlinkedStatePaths, SymlinkRefusedError }] = await Promise.all([import("../config/load.js"), import("../state/files.js")]);
  const config = await loadConfig(configFile, env);
  try {
    await refuseSymlinkedStatePaths(config.stateDir);
  } catch (err) {
    if (!(err instanceof SymlinkRefusedError)) throw err;
    throw new ConfigError([{ file: configFile, line: null, col: null, path: "stateDir", message: `${err.message} Or set stateDir to the real directory.` }]);
  }
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
