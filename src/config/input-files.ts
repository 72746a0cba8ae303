import type { KeyPath } from "./source.js";
import type { Config } from "./types.js";

/**
 * The files besides bluegreen.yml whose existence or content the loaded config depends on (the
 * compose files it is cross-checked against, the smoke spec): what a cached config is valid for.
 */
export function configInputFiles(config: Config): { path: KeyPath; absolute: string }[] {
  const files: { path: KeyPath; absolute: string }[] = [
    { path: ["compose", "shared"], absolute: config.compose.shared },
    { path: ["compose", "blue"], absolute: config.compose.blue },
    { path: ["compose", "green"], absolute: config.compose.green },
  ];
  if (config.smoke.spec !== null) files.push({ path: ["smoke", "spec"], absolute: config.smoke.spec });
  return files;
}
