/**
 * Cross-checks the config against the compose files it names: every rotating service must exist as
 * `<name>-<color>` in compose.<color>.yml, and the proxy service in the shared file.
 */
import { readFile } from "node:fs/promises";
import { isMap, isScalar } from "yaml";
import type { Color } from "../domain/color.js";
import { displayPath } from "./display.js";
import type { ConfigIssue } from "./errors.js";
import { YamlSource } from "./source.js";
import type { Config } from "./types.js";

export async function validateServicesAgainstCompose(config: Config): Promise<ConfigIssue[]> {
  const configName = displayPath(config.file);
  const issues: ConfigIssue[] = [];
  const colors: Color[] = ["blue", "green"];
  for (const color of colors) {
    const expected = config.services.map((name) => ({ wanted: `${name}-${color}`, because: `services lists "${name}"` }));
    issues.push(...(await checkComposeFile(config.compose[color], expected, configName)));
  }
  const proxy = { wanted: config.proxy.service, because: `proxy.service is "${config.proxy.service}"` };
  issues.push(...(await checkComposeFile(config.compose.shared, [proxy], configName)));
  return issues;
}

async function checkComposeFile(
  path: string,
  expected: { wanted: string; because: string }[],
  configName: string,
): Promise<ConfigIssue[]> {
  const file = displayPath(path);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    return [{ file, line: null, col: null, path: "", message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the compose paths in ${configName}` }];
  }
  const source = new YamlSource(text);
  const syntax = source.doc.errors[0];
  if (syntax) {
    const { line, col } = source.position(syntax.pos[0]);
    return [{ file, line, col, path: "", message: `YAML syntax: ${syntax.message.split("\n")[0]}; docker-compose will reject this file too` }];
  }
  const services = source.nodeAt(["services"]);
  const where = source.keyPosition(["services"]) ?? { line: 1, col: 1 };
  if (!isMap(services)) {
    return [{ file, line: where.line, col: where.col, path: "services", message: `is missing or not a mapping; ${configName} expects ${expected.map((e) => e.wanted).join(", ")} here` }];
  }
  const defined = services.items.flatMap((pair) => (isScalar(pair.key) ? [String(pair.key.value)] : []));
  return expected
    .filter(({ wanted }) => !defined.includes(wanted))
    .map(({ wanted, because }) => ({
      file,
      line: where.line,
      col: where.col,
      path: "services",
      message: `has no service "${wanted}" (${configName}: ${because}); defined here: ${defined.join(", ") || "none"} — add "${wanted}" or fix ${configName}`,
    }));
}
