import { isAbsolute, relative } from "node:path";

/** How messages name a file: relative to the working directory when it is below it, else absolute. */
export function displayPath(absolutePath: string, cwd = process.cwd()): string {
  const rel = relative(cwd, absolutePath);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : absolutePath;
}
