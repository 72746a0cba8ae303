/**
 * The bluegreen package's own directory, found from a module's URL: the source tree (src/…), tsc's
 * output (dist/src/…) and the bundle (dist/cli/) sit at different depths below it. Files the package
 * ships (`files` in package.json: fixtures/ among them) are read from here at run time.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface PackageRoot {
  dir: string;
  version: string;
}

export function findPackageRoot(moduleUrl: string): PackageRoot | null {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 6; i += 1) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "bluegreen") return { dir, version: pkg.version ?? "0.0.0" };
    } catch {
      // not here: one level up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}
