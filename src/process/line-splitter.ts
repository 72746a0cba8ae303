import { stripVTControlCharacters } from "node:util";

/**
 * Turns a byte stream into text lines. Compose redraws progress with "\r" and colours with ANSI
 * escapes when it thinks it has a terminal; both become plain lines here.
 */
export class LineSplitter {
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8");

  push(chunk: Uint8Array | string): string[] {
    this.pending += typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    const parts = this.pending.split(/\r\n|\r|\n/);
    this.pending = parts.pop() ?? "";
    return parts.map(clean).filter((line) => line.length > 0);
  }

  /** The last unterminated line, if any. */
  flush(): string[] {
    const rest = clean(this.pending + this.decoder.decode());
    this.pending = "";
    return rest ? [rest] : [];
  }
}

function clean(line: string): string {
  return stripVTControlCharacters(line).trimEnd();
}
