import { formatDuration, parseShellDuration } from "../config/duration.js";
import { isColor } from "../domain/color.js";
import { VERSION_PATTERN, VERSION_RULE } from "../engine/operations/deploy.js";

/** A usage problem found before anything was touched (exit code 2). */
export class UsageError extends Error {}

export function parseColorOption(value: string): "blue" | "green" {
  if (!isColor(value)) throw new UsageError(`unknown color "${value}": use blue or green`);
  return value;
}

/** `--version V`: what compose receives as versionVariable (no shell ever sees it, but a tag must be a tag). */
export function parseVersionOption(value: string): string {
  if (!VERSION_PATTERN.test(value)) throw new UsageError(`invalid --version "${value}": ${VERSION_RULE}`);
  return value;
}

export function parsePositiveInt(name: string, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${name} must be a whole number from 1 to ${max}, got "${value}"`);
    return n;
  };
}

/**
 * A flag that takes a duration (`--max-stall 300ms`, `--duration 2m`, `--baseline 2`: a bare number
 * is seconds), parsed by the one duration parser, in milliseconds from `min` to `max`.
 */
export function durationFlag(name: string, range: { min: number; max: number }): (value: string) => number {
  const bounds = `from ${formatDuration(range.min)} to ${formatDuration(range.max)}`;
  return (value) => {
    const parsed = parseShellDuration(value);
    if (!parsed.ok) throw new UsageError(`${name} "${value}" ${parsed.reason}`);
    if (parsed.ms < range.min || parsed.ms > range.max) throw new UsageError(`${name} must be ${bounds}, got "${value}" (${formatDuration(parsed.ms)})`);
    return parsed.ms;
  };
}
