/** Reads bluegreen.yml from disk, validates it, and checks the files it names exist. */
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { validateServicesAgainstCompose } from "./compose-services.js";
import { displayPath } from "./display.js";
import { configInputFiles } from "./input-files.js";
import { ConfigError, type ConfigIssue } from "./errors.js";
import { parseConfigWithSource } from "./parse.js";
import type { YamlSource } from "./source.js";
import type { Config } from "./types.js";

export interface LoadOptions {
  /** Directory a relative `file` is taken from (default: process.cwd()). */
  cwd?: string;
  /** Also check the compose files define the configured services (default: true). */
  checkCompose?: boolean;
}

export async function loadConfig(file: string, env: NodeJS.ProcessEnv, options: LoadOptions = {}): Promise<Config> {
  const cwd = options.cwd ?? process.cwd();
  const absolute = resolve(cwd, file);
  const text = await readConfigText(file, absolute);
  const { config, source } = parseConfigWithSource(text, absolute, env, file);

  const missing = await missingFiles(config, source, file);
  if (missing.length > 0) throw new ConfigError(missing);

  if (options.checkCompose ?? true) {
    const composeIssues = await validateServicesAgainstCompose(config);
    if (composeIssues.length > 0) throw new ConfigError(composeIssues);
  }
  return config;
}

async function readConfigText(given: string, absolute: string): Promise<string> {
  try {
    return await readFile(absolute, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? `no configuration file at ${absolute}`
        : code === "EISDIR"
          ? `${absolute} is a directory, not a configuration file`
          : code === "EACCES"
            ? `${absolute} cannot be read (permission denied)`
            : `${absolute} cannot be read (${code ?? String(err)})`;
    const issue: ConfigIssue = {
      file: given,
      line: null,
      col: null,
      path: "",
      message: `${why}; run bluegreen from the stack's directory or pass the file with -c FILE`,
    };
    throw new ConfigError([issue], "no usable configuration; nothing was changed:");
  }
}

async function missingFiles(config: Config, source: YamlSource, file: string): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  for (const check of configInputFiles(config)) {
    const problem = await fileProblem(check.absolute);
    if (problem === null) continue;
    const written = source.nodeAt(check.path) !== null;
    const { line, col } = source.locate(check.path);
    const key = check.path.join(".");
    issues.push({
      file,
      line,
      col,
      path: key,
      message: `${displayPath(check.absolute)} ${problem}${written ? "" : " (the default)"}; create it or set ${key} to the right path (relative to ${config.root})`,
    });
  }
  return issues;
}

async function fileProblem(path: string): Promise<string | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? null : "is not a regular file";
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(err)})`;
  }
}
