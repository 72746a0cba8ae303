import type { VerifyResult } from "../types.js";

/** The full result; `maxKeepAliveCloses: null` means unlimited (JSON has no Infinity). */
export function toJson(result: VerifyResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
