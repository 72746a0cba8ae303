/**
 * ink (through yoga's top-level await) is an ES module that the CommonJS CLI bundle cannot
 * require(). In the bundle, `ink` resolves to this registry's entry (scripts/bundle-cli.mjs); the
 * launcher registers how to import it, and preloadEsmOnly() runs that before the TUI loads. From
 * source (tests, tsc's output) nothing is registered: ink is imported as usual and this is a no-op.
 */
const KEY = Symbol.for("bluegreen.esm-only");

export interface EsmOnlyRegistry {
  /** ink's module namespace once preloaded. */
  ink?: unknown;
  load?: () => Promise<void>;
}

function registry(): EsmOnlyRegistry {
  const g = globalThis as { [KEY]?: EsmOnlyRegistry };
  return (g[KEY] ??= {});
}

/** The launcher's side: how to import the ES-only packages (from a module that can). */
export function registerEsmOnly(importers: { ink: () => Promise<unknown> }): void {
  const r = registry();
  r.load = async () => {
    r.ink ??= await importers.ink();
  };
}

/** Before loading the TUI. */
export async function preloadEsmOnly(): Promise<void> {
  await registry().load?.();
}

/** The bundle's `ink`: the preloaded namespace. */
export function esmOnlyModule(name: "ink"): unknown {
  const value = registry()[name];
  if (value === undefined) throw new Error(`${name} was not loaded before the TUI (bluegreen bug: preloadEsmOnly() must run first)`);
  return value;
}
