/** A parsed YAML document that can say where (line:col) any key path is. */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";

export type KeyPath = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

export class YamlSource {
  readonly lineCounter = new LineCounter();
  readonly doc: Document.Parsed;

  constructor(readonly text: string) {
    // uniqueKeys: a duplicated key is an error, not a silent "last one wins".
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: true, prettyErrors: false });
  }

  position(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, col };
  }

  /** The node at a path, or null when a key on the way is absent. */
  nodeAt(path: KeyPath): Node | null {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) return null;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        node = node.items[segment];
      } else {
        return null;
      }
      if (node === undefined) return null;
    }
    return (node ?? null) as Node | null;
  }

  /** Where the key (not its value) of the last path segment is written. */
  keyPosition(path: KeyPath): Position | null {
    const parent = this.nodeAt(path.slice(0, -1));
    const last = path[path.length - 1];
    if (!isMap(parent) || last === undefined) return null;
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(last));
    const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
    return range ? this.position(range[0]) : null;
  }

  /**
   * Best position for a problem at `path`: the value when present, else the key, else the key of
   * the nearest ancestor that exists (a missing key is reported where its parent is written).
   */
  locate(path: KeyPath): Position {
    const range = this.nodeAt(path)?.range;
    if (range) return this.position(range[0]);
    for (let depth = path.length; depth > 0; depth--) {
      const key = this.keyPosition(path.slice(0, depth));
      if (key) return key;
    }
    const root = (this.doc.contents as Node | null)?.range;
    return root ? this.position(root[0]) : { line: 1, col: 1 };
  }

  /** A short description of what is written at a path: `"ngnix"`, `a mapping`, `nothing`. */
  describe(path: KeyPath): string {
    const node = this.nodeAt(path);
    return describeNode(node);
  }
}

export function describeNode(node: unknown): string {
  if (node === null || node === undefined) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) return describeValue(node.value);
  return "an unexpected value";
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

export function formatPath(path: KeyPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}
