import { createContext, useContext } from "react";

/** Meaningful color roles; the palette maps them to terminal colors. */
export type Tone = "blue" | "green" | "ok" | "warn" | "error" | "muted" | "accent";

const PALETTE: Record<Tone, string> = {
  blue: "blueBright",
  green: "greenBright",
  ok: "green",
  warn: "yellow",
  error: "red",
  muted: "gray",
  accent: "cyan",
};

export interface Theme {
  /** NO_COLOR: no color and no other SGR styling either (bold, dim, inverse). */
  noColor: boolean;
  color(tone: Tone | undefined): string | undefined;
}

export function makeTheme(noColor: boolean): Theme {
  return { noColor, color: (tone) => (noColor || !tone ? undefined : PALETTE[tone]) };
}

/** https://no-color.org: any non-empty value disables color. */
export function noColorFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return typeof env.NO_COLOR === "string" && env.NO_COLOR !== "";
}

export const ThemeContext = createContext<Theme>(makeTheme(false));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
