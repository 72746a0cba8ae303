import type { Criterion, LatencySummary, Outage, Thresholds, WsSummary } from "./types.js";

export interface VerdictInput {
  probesOk: number;
  hard: number;
  hardByCode: Record<string, number>;
  keepAliveCloses: number;
  outages: readonly Outage[];
  ws: WsSummary;
  latency: { before: LatencySummary; during: LatencySummary };
  thresholds: Thresholds;
}

function formatCodes(codes: Record<string, number>): string {
  const parts = Object.entries(codes).map(([code, n]) => `${code}×${n}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/**
 * Each criterion is named (one JUnit testcase each). PASS iff all hold:
 * 0 hard failures, no outage, 0 abnormal WebSocket closes, every new WebSocket upgrade succeeded,
 * p99 during ≤ ratio × max(baseline p99, floor), keep-alive closes ≤ max (unlimited by default),
 * and at least one probe was answered (a run that saw nothing proves nothing).
 */
export function evaluateCriteria(input: VerdictInput): Criterion[] {
  const { thresholds: th, latency } = input;
  const criteria: Criterion[] = [];
  criteria.push({
    name: "probes-answered",
    ok: input.probesOk > 0,
    detail: `${input.probesOk} probes answered successfully`,
  });
  criteria.push({
    name: "no-hard-failures",
    ok: input.hard === 0,
    detail: `${input.hard} hard failures${formatCodes(input.hardByCode)}`,
  });
  const longest = input.outages.reduce((m, o) => Math.max(m, o.durationMs), 0);
  criteria.push({
    name: "no-outage",
    ok: input.outages.length === 0,
    detail:
      input.outages.length === 0
        ? `no failures and no gap over ${th.gapMs} ms without a successful response`
        : `${input.outages.length} outage(s), longest ${longest} ms, first at ${input.outages[0]?.startMs} ms`,
  });
  criteria.push({
    name: "ws-no-abnormal-closes",
    ok: input.ws.abnormalCloses === 0,
    detail: `${input.ws.abnormalCloses} abnormal / ${input.ws.cleanCloses} clean closes over ${input.ws.sessions} sessions${formatCodes(input.ws.closeCodes)}`,
  });
  criteria.push({
    name: "ws-new-sessions",
    ok: input.ws.newSessionsFailed === 0,
    detail: `${input.ws.newSessionsOk} new sessions upgraded, ${input.ws.newSessionsFailed} failed`,
  });
  const base = Math.max(latency.before.p99, th.p99FloorMs);
  const limit = base * th.maxP99Ratio;
  criteria.push({
    name: "latency-p99-ratio",
    ok: latency.during.count === 0 || latency.during.p99 <= limit,
    detail: `p99 during ${latency.during.p99} ms vs baseline ${latency.before.p99} ms (limit ${th.maxP99Ratio}× max(baseline, ${th.p99FloorMs} ms) = ${limit} ms)`,
  });
  const maxKa = th.maxKeepAliveCloses;
  criteria.push({
    name: "keep-alive-closes",
    ok: maxKa === null || input.keepAliveCloses <= maxKa,
    detail: `${input.keepAliveCloses} keep-alive closes (limit ${maxKa === null ? "none, reported only" : maxKa})`,
  });
  return criteria;
}

export function verdictOf(criteria: readonly Criterion[]): "PASS" | "FAIL" {
  return criteria.every((c) => c.ok) ? "PASS" : "FAIL";
}
