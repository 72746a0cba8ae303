/**
 * Splits Docker's /events byte stream into JSON objects. Docker writes one object per line, but
 * a chunk can end in the middle of an object (or of a multi-byte character), and some daemons and
 * proxies glue objects together without a newline; so this scans for balanced top-level braces
 * (ignoring braces inside strings) instead of trusting chunk or line boundaries.
 */
export class JsonObjectStream {
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8");

  /** Feeds one chunk; returns the complete objects it finished, and text that was not valid JSON. */
  push(chunk: Uint8Array | string): { objects: unknown[]; garbage: string[] } {
    this.pending += typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    const objects: unknown[] = [];
    const garbage: string[] = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let start = -1;
    let consumed = 0;
    for (let i = 0; i < this.pending.length; i++) {
      const ch = this.pending[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === "\\") escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') {
        if (depth > 0) inString = true;
      } else if (ch === "{") {
        if (depth === 0) {
          const between = this.pending.slice(consumed, i).trim();
          if (between) garbage.push(between);
          start = i;
        }
        depth++;
      } else if (ch === "}" && depth > 0) {
        depth--;
        if (depth === 0) {
          const text = this.pending.slice(start, i + 1);
          try {
            objects.push(JSON.parse(text));
          } catch {
            garbage.push(text);
          }
          consumed = i + 1;
        }
      }
    }
    if (depth === 0) {
      const rest = this.pending.slice(consumed).trim();
      if (rest) garbage.push(rest);
      this.pending = "";
    } else {
      this.pending = this.pending.slice(start);
    }
    return { objects, garbage };
  }
}
