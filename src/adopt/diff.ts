/**
 * A unified line diff of two texts (LCS over lines, 2 lines of context): how init shows what it
 * changes. Files here are small (compose files, proxy configs), so the quadratic table is fine.
 */
export function lineDiff(before: string, after: string, names: { from: string; to: string }): string {
  if (before === after) return "";
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: { kind: " " | "-" | "+"; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i]! });
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ kind: "+", line: b[j++]! });
    else ops.push({ kind: "-", line: a[i++]! });
  }
  const keep = ops.map((op, k) => op.kind !== " " || ops.slice(Math.max(0, k - 2), k + 3).some((o) => o.kind !== " "));
  const out = [`--- ${names.from}`, `+++ ${names.to}`];
  let skipped = false;
  ops.forEach((op, k) => {
    if (keep[k]) {
      out.push(`${op.kind}${op.line}`);
      skipped = false;
    } else if (!skipped) {
      out.push("@@");
      skipped = true;
    }
  });
  return `${out.join("\n")}\n`;
}
