/** Evaluating expectations: dotted-path lookup in JSON, matcher semantics, readable mismatch text. */
import { isDeepStrictEqual } from "node:util";
import type { CheckFailure, Matcher } from "./types.js";
import { escapeRegExp, missingVariables, substitute, type VariableName, type VariableValues } from "./variables.js";

export type Lookup = { found: true; value: unknown } | { found: false };

/** "checks.redis" → root.checks.redis; numeric segments index arrays ("items.0.id"). */
export function lookupPath(root: unknown, path: string): Lookup {
  let current: unknown = root;
  for (const segment of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      const index = Number(segment);
      if (index >= current.length) return { found: false };
      current = current[index];
    } else if (current !== null && typeof current === "object" && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}

const VALUE_TEXT_LIMIT = 120;

/** A value as it would appear in JSON, bounded for one terminal line. */
export function describeValue(lookup: Lookup): string {
  if (!lookup.found) return "(missing)";
  const text = lookup.value === undefined ? "undefined" : JSON.stringify(lookup.value);
  return truncate(text, VALUE_TEXT_LIMIT);
}

export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more chars)`;
}

const VARIABLE_LABEL: Record<VariableName, string> = { EXPECT_VERSION: "expected version", EXPECT_COLOR: "expected color" };

export interface MatchOutcome {
  failure?: CheckFailure;
  /** Set when the matcher was relaxed because a variable it uses has no value in this run. */
  note?: string;
}

export interface MatchInput {
  /** "json checks.redis", "header X-App-Version", "ws first message type". */
  what: string;
  matcher: Matcher;
  actual: Lookup;
  vars: VariableValues;
  /** Headers are text on the wire: compare the expected value as text. */
  compareAsText?: boolean;
  /** For `increments`: the same field in the first of the two responses. */
  previous?: Lookup;
}

export function evaluateMatcher(input: MatchInput): MatchOutcome {
  const { what, matcher, actual, vars } = input;
  const fail = (expected: string): MatchOutcome => ({ failure: { what, expected, actual: describeValue(actual) } });

  const relaxedText = matcher.kind === "equals" && typeof matcher.value === "string" ? matcher.value : matcher.kind === "matches" ? matcher.pattern : undefined;
  if (relaxedText !== undefined) {
    const missing = missingVariables(relaxedText, vars);
    if (missing.length > 0) {
      const note = `no ${missing.map((m) => VARIABLE_LABEL[m]).join(" or ")} given: only checked that ${what} is present`;
      return actual.found ? { note } : { ...fail(`present (${relaxedText} with no value given)`), note };
    }
  }

  switch (matcher.kind) {
    case "exists":
      if (actual.found === matcher.exists) return {};
      return fail(matcher.exists ? "present" : "absent");
    case "matches": {
      const pattern = substitute(matcher.pattern, vars, escapeRegExp);
      const ok = actual.found && typeof actual.value === "string" && new RegExp(pattern).test(actual.value);
      return ok ? {} : fail(`a string matching /${pattern}/`);
    }
    case "equals": {
      const expected = typeof matcher.value === "string" ? substitute(matcher.value, vars) : matcher.value;
      if (input.compareAsText) {
        const text = expected === null ? "null" : String(expected);
        return actual.found && actual.value === text ? {} : fail(JSON.stringify(text));
      }
      return actual.found && isDeepStrictEqual(actual.value, expected) ? {} : fail(truncate(JSON.stringify(expected) ?? "undefined", VALUE_TEXT_LIMIT));
    }
    case "increments": {
      const before = input.previous;
      if (!before?.found || typeof before.value !== "number") {
        return { failure: { what, expected: "a number in the first response", actual: `first response had ${before ? describeValue(before) : "(no first response)"}` } };
      }
      const ok = actual.found && typeof actual.value === "number" && actual.value > before.value;
      return ok ? {} : fail(`a number greater than ${before.value} (the first response)`);
    }
  }
}
