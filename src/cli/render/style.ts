/** Minimal terminal styling that honours NO_COLOR and non-TTY output (no escape codes then). */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
}

const plain: Style = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s, blue: (s) => s };

export function createStyle(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  if (!stream.isTTY || env.NO_COLOR !== undefined || env.TERM === "dumb") return plain;
  const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), blue: wrap(34, 39) };
}

export function colorName(style: Style, color: string | null): string {
  if (color === "blue") return style.blue("blue");
  if (color === "green") return style.green("green");
  return color ?? "none";
}
