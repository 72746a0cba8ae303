import type { Color } from "../domain/color.js";
import { COLORS } from "../domain/color.js";

/** host:port, as a proxy config can take it verbatim (no spaces, quotes or semicolons). */
const UPSTREAM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*:[0-9]{1,5}$/;

/**
 * The upstream address of a color from the config's template ("app-{color}:3000"). Throws when
 * the result is not a plain host:port: it is written into proxy configs.
 */
export function upstreamFor(template: string, color: Color): string {
  const address = template.replaceAll("{color}", color);
  if (!UPSTREAM_PATTERN.test(address)) {
    throw new Error(
      `proxy.upstream "${template}" gives "${address}" for ${color}, which is not a host:port. ` +
        `Nothing was changed in the proxy. Fix proxy.upstream in the config (e.g. "app-{color}:3000").`,
    );
  }
  return address;
}

/** Which color an upstream address belongs to under the template, or null if neither. */
export function colorOfUpstream(template: string, address: string): Color | null {
  for (const color of COLORS) {
    if (template.replaceAll("{color}", color) === address) return color;
  }
  return null;
}
