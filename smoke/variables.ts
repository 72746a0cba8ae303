/**
 * Placeholders a spec may use inside expectations. They are filled from the run options, so one spec
 * serves every release: `${EXPECT_VERSION}` is the version being deployed, `${EXPECT_COLOR}` the slot.
 */
export const KNOWN_VARIABLES = ["EXPECT_VERSION", "EXPECT_COLOR"] as const;
export type VariableName = (typeof KNOWN_VARIABLES)[number];
export type VariableValues = Partial<Record<VariableName, string>>;

const PLACEHOLDER_RE = /\$\{([^}]*)\}/g;

export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER_RE)].map((m) => m[1] ?? "");
}

export function isKnownVariable(name: string): name is VariableName {
  return (KNOWN_VARIABLES as readonly string[]).includes(name);
}

/** Names used in `text` that have no value in this run (the caller then relaxes the expectation). */
export function missingVariables(text: string, values: VariableValues): VariableName[] {
  return placeholdersIn(text).filter(isKnownVariable).filter((name) => values[name] === undefined);
}

/** Replaces known placeholders; `escape` lets regex patterns embed the value literally. */
export function substitute(text: string, values: VariableValues, escape: (v: string) => string = (v) => v): string {
  return text.replace(PLACEHOLDER_RE, (whole, name: string) => {
    if (!isKnownVariable(name)) return whole;
    const value = values[name];
    return value === undefined ? whole : escape(value);
  });
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
