/** JUnit XML for CI: one testsuite, one testcase per check, a <failure> with expected/actual. */
import { escapeXml } from "../../src/report/xml.js";
import type { CheckResult, SmokeResult } from "../types.js";

export { escapeXml };

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

export function formatJUnit(result: SmokeResult, suiteName = "bluegreen smoke"): string {
  const failures = result.checks.filter((c) => !c.ok).length;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${escapeXml(suiteName)}" tests="${result.checks.length}" failures="${failures}" errors="0" time="${seconds(result.durationMs)}">`,
    `  <testsuite name="${escapeXml(`${suiteName} ${result.target}`)}" tests="${result.checks.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(result.durationMs)}" timestamp="${escapeXml(result.startedAt)}">`,
    `    <properties>`,
    `      <property name="target" value="${escapeXml(result.target)}"/>`,
    ...(result.expectVersion ? [`      <property name="expectVersion" value="${escapeXml(result.expectVersion)}"/>`] : []),
    ...(result.expectColor ? [`      <property name="expectColor" value="${escapeXml(result.expectColor)}"/>`] : []),
    `    </properties>`,
    ...result.checks.map(formatTestCase),
    `  </testsuite>`,
    `</testsuites>`,
  ];
  return `${lines.join("\n")}\n`;
}

function formatTestCase(check: CheckResult): string {
  const open = `    <testcase classname="smoke.${check.kind}" name="${escapeXml(check.name)}" time="${seconds(check.durationMs)}"`;
  const notes = check.notes && check.notes.length > 0 ? [`      <system-out>${escapeXml(check.notes.map((n) => `note: ${n}`).join("\n"))}</system-out>`] : [];
  if (check.ok) return notes.length === 0 ? `${open}/>` : [`${open}>`, ...notes, `    </testcase>`].join("\n");

  const details = [
    ...check.failures.map((f) => `${f.what}: expected ${f.expected}, got ${f.actual}`),
    ...(check.error !== undefined ? [`error: ${check.error}`] : []),
    ...(check.bodyExcerpt ? [`body: ${check.bodyExcerpt}`] : []),
    `attempts: ${check.attempts}`,
    ...(check.repeated ? [`repeats passed: ${check.repeated.passed} of ${check.repeated.of}`] : []),
  ];
  const message = details[0] ?? "check failed";
  const type = check.error !== undefined ? "error" : "mismatch";
  return [
    `${open}>`,
    `      <failure message="${escapeXml(message)}" type="${type}">${escapeXml(details.join("\n"))}</failure>`,
    ...notes,
    `    </testcase>`,
  ].join("\n");
}
