import type { Color } from "../../src/domain/color.js";

/**
 * How a release behaves, the same knobs as the demo app's APP_FAILURE:
 * - unhealthy: runs, but its health check fails (Redis unreachable)
 * - crash-on-start: exits with code 1 right after starting
 * - slow-start: runs, health stays "starting" (never healthy within any timeout)
 * - crash-after-switch: healthy until live traffic reaches it, then dies (exit 137)
 * - error-rate: healthy, but every request answers 500
 */
export type ReleaseFailure = "unhealthy" | "crash-on-start" | "slow-start" | "crash-after-switch" | "error-rate";

export interface ColorScript {
  failure: ReleaseFailure | null;
}

export type ColorScripts = Record<Color, ColorScript>;

/** Scripts per color, overridden per version (a broken release stays broken on either color). */
export class ReleaseScripts {
  readonly byColor: ColorScripts = { blue: { failure: null }, green: { failure: null } };
  readonly byVersion = new Map<string, ColorScript>();

  failureOf(color: Color, version: string | null): ReleaseFailure | null {
    const own = version === null ? undefined : this.byVersion.get(version);
    return own ? own.failure : this.byColor[color].failure;
  }
}
