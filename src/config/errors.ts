/** Configuration problems, each with where it is (file:line:col), which key, what was found and what is allowed. */

export interface ConfigIssue {
  /** File the problem is in, as the operator named it (bluegreen.yml, compose.blue.yml…). */
  file: string;
  /** 1-based line and column; null when the problem has no place in a file (missing file, environment). */
  line: number | null;
  col: number | null;
  /** Key path, e.g. "proxy.driver", "services[1]"; an environment variable name for env overrides. */
  path: string;
  /** What is wrong and what is allowed, e.g. `"ngnix" is not one of nginx, caddy, haproxy (did you mean "nginx"?)`. */
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}:${issue.col ?? 1}`;
  const key = issue.path === "" ? "" : ` ${issue.path}:`;
  return `${where}${key} ${issue.message}`;
}

/** Thrown by the loader with every problem found, so an operator fixes them in one pass. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], headline?: string) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    const first = issues[0];
    const title = headline ?? `configuration ${first?.file ?? ""} has ${count}; nothing was changed — fix ${issues.length === 1 ? "it" : "them"} and run again:`;
    super([title, ...issues.map((issue) => `  ${formatIssue(issue)}`)].join("\n"));
    this.issues = issues;
  }
}
