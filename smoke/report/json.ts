/** JSON output: events as JSON lines while running, the result object as the last line. */
import type { SmokeEvent, SmokeResult } from "../types.js";

export function formatJsonEvent(event: SmokeEvent): string {
  return `${JSON.stringify(event)}\n`;
}

export function formatJsonResult(result: SmokeResult): string {
  return `${JSON.stringify(result)}\n`;
}
