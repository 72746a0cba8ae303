import { Text } from "ink";
import type { ReactNode } from "react";
import { useTheme, type Tone } from "../contexts/theme-context.js";

interface TxtProps {
  tone?: Tone;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
  /** Lines never wrap: layouts count on one line per Txt. */
  wrap?: "truncate-end" | "wrap";
  children?: ReactNode;
}

/** Ink's Text with every style routed through the theme, so NO_COLOR yields plain text. */
export function Txt({ tone, bold, dim, inverse, wrap = "truncate-end", children }: TxtProps) {
  const theme = useTheme();
  const styled = !theme.noColor;
  return (
    <Text color={theme.color(tone)} bold={styled && bold} dimColor={styled && dim} inverse={styled && inverse} wrap={wrap}>
      {children}
    </Text>
  );
}
