import { isColor } from "../domain/color.js";

/** A usage problem found before anything was touched (exit code 2). */
export class UsageError extends Error {}

export function parseColorOption(value: string): "blue" | "green" {
  if (!isColor(value)) throw new UsageError(`unknown color "${value}": use blue or green`);
  return value;
}

export function parsePositiveInt(name: string, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${name} must be a whole number from 1 to ${max}, got "${value}"`);
    return n;
  };
}
