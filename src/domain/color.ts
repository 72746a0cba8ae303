/** The two slots of a stack. */
export type Color = "blue" | "green";

export const COLORS: readonly Color[] = ["blue", "green"] as const;

export function isColor(value: unknown): value is Color {
  return value === "blue" || value === "green";
}

export function otherColor(color: Color): Color {
  return color === "blue" ? "green" : "blue";
}

/** Where a service of the stack lives: one of the colors, or the shared services (proxy, datastores). */
export type Slot = Color | "shared";
