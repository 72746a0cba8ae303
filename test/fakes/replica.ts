import type { Color } from "../../src/domain/color.js";
import type { ProxyDriver } from "../../src/proxy/driver.js";

/** One replica's routing, with the ways a real one fails. */
export class ReplicaFake implements ProxyDriver {
  readonly name = "haproxy" as const;
  live: Color | null = "blue";
  preview: Color | null = "green";
  refuse: string | null = null;
  silent = false;
  /** Accepts the change but keeps routing as before (an answer that lies). */
  ignore = false;
  readonly changes: string[] = [];

  async liveTarget() {
    if (this.silent) throw new Error("connection refused");
    return this.live;
  }
  async previewTarget() {
    if (this.silent) throw new Error("connection refused");
    return this.preview;
  }
  async switchLive(color: Color) {
    this.changes.push(`live→${color}`);
    if (this.refuse) throw new Error(this.refuse);
    if (!this.ignore) this.live = color;
  }
  async pointPreview(color: Color) {
    this.changes.push(`preview→${color}`);
    if (this.refuse) throw new Error(this.refuse);
    if (!this.ignore) this.preview = color;
  }
  async ping() {
    return this.silent ? { ok: false, detail: "connection refused" } : { ok: true, detail: "answers" };
  }
}

