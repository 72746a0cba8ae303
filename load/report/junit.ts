import { escapeXml } from "../../src/report/xml.js";
import type { VerifyResult } from "../types.js";

export { escapeXml };

/** One testcase per criterion, so a CI pipeline shows exactly which promise was broken. */
export function toJunit(result: VerifyResult): string {
  const failures = result.criteria.filter((c) => !c.ok).length;
  const seconds = (result.durationMs / 1000).toFixed(3);
  const cases = result.criteria.map((c) => {
    const open = `    <testcase classname="bluegreen.verify" name="${escapeXml(c.name)}" time="0">`;
    if (c.ok) return `${open}\n      <system-out>${escapeXml(c.detail)}</system-out>\n    </testcase>`;
    return `${open}\n      <failure message="${escapeXml(c.detail)}" type="${escapeXml(c.name)}">${escapeXml(c.detail)}</failure>\n    </testcase>`;
  });
  const summary =
    `verdict ${result.verdict}: ${result.hard} hard failures, ${result.keepAliveCloses} keep-alive closes, ` +
    `${result.outages.length} outages, switch at ${result.switchAtMs ?? "-"} ms, target ${result.liveUrl}`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="bluegreen verify" tests="${result.criteria.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="zero-downtime" tests="${result.criteria.length}" failures="${failures}" errors="0" skipped="0" time="${seconds}" timestamp="${escapeXml(result.startedAt)}">`,
    ...cases,
    `    <system-out>${escapeXml(summary)}</system-out>`,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}
