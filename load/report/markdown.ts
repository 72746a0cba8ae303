import type { LatencySummary, VerifyResult } from "../types.js";
import { renderChart } from "./chart.js";

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const ms = (v: number | null): string => (v === null ? "–" : `${v} ms`);

function latencyRow(name: string, l: LatencySummary): string {
  return `| ${name} | ${l.count} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.max} |`;
}

/** A report a human reads: verdict first, then the evidence; the chart is plain text in a code block. */
export function toMarkdown(result: VerifyResult): string {
  const t = result.timeline;
  const load = result.load;
  const lines: string[] = [
    `# Zero-downtime verification: ${result.verdict === "PASS" ? "PASS ✅" : "FAIL ❌"}`,
    "",
    `Target \`${result.liveUrl}\`, started ${result.startedAt}, ${(result.durationMs / 1000).toFixed(1)} s ` +
      `(baseline ${result.settings.baselineMs} ms, operation ${result.operationWindow.startMs}–${result.operationWindow.endMs} ms, settle ${result.settings.settleMs} ms).`,
    "",
    "## Summary",
    "",
    "| measure | value |",
    "|---|---|",
    `| verdict | **${result.verdict}** |`,
    `| hard failures | ${result.hard} (probes ${result.probes.hard}, load ${load?.hard ?? 0}) |`,
    `| keep-alive closes | ${result.keepAliveCloses} (probes ${result.probes.keepAliveCloses}, load ${load?.keepAliveCloses ?? 0}) |`,
    `| probe errors before / during / after | ${(["before", "during", "after"] as const).map((k) => `${result.probeErrorsByPhase[k].hard} hard, ${result.probeErrorsByPhase[k].keepAliveCloses} keep-alive`).join(" / ")} |`,
    `| outages | ${result.outages.length === 0 ? "none" : result.outages.map((o) => `${o.durationMs} ms at ${o.startMs} ms (${o.kind})`).join(", ")} |`,
    `| colors | ${t.oldColor ?? "–"} → ${t.newColor ?? "–"} |`,
    `| last old / first new response | ${ms(t.lastOldMs)} / ${ms(t.firstNewMs)} (both served ${t.overlapMs} ms) |`,
    `| probes | ${result.probes.sent} sent every ${result.settings.probeIntervalMs} ms, ${result.probes.ok} ok, jitter p50 ${result.probes.jitter.p50} ms / p99 ${result.probes.jitter.p99} ms, ${result.probes.skippedSlots} slots skipped |`,
    `| load | ${load ? `${load.requests} responses over ${result.settings.connections} connections, ${load.non2xx} non-2xx, ${load.timeouts} timeouts` : "off"} |`,
    `| WebSockets | ${result.ws.sessions} sessions, ${result.ws.abnormalCloses} abnormal / ${result.ws.cleanCloses} clean closes, ${result.ws.reconnects} reconnects (max ${ms(result.ws.maxReconnectMs)}), ${result.ws.tickGaps} missed ticks, new sessions ${result.ws.newSessionsOk} ok / ${result.ws.newSessionsFailed} failed |`,
    "",
    "## Criteria",
    "",
    "| criterion | result | detail |",
    "|---|---|---|",
    ...result.criteria.map((c) => `| ${c.name} | ${c.ok ? "ok" : "**FAILED**"} | ${cell(c.detail)} |`),
    "",
    "## Latency of successful probes (ms)",
    "",
    "| phase | count | p50 | p90 | p99 | max |",
    "|---|---|---|---|---|---|",
    latencyRow("before", result.latency.before),
    latencyRow(`during (${result.duringWindow.startMs}–${result.duringWindow.endMs} ms)`, result.latency.during),
    latencyRow("after", result.latency.after),
    "",
    "## Throughput and latency over time",
    "",
    "```text",
    renderChart(result),
    "```",
    "",
  ];
  lines.push(
    "## Stalls (50 ms or more without a successful answer)",
    "",
    result.stalls.length === 0
      ? "None."
      : result.stalls.map((s) => `- ${s.startMs}–${s.endMs} ms (${s.durationMs} ms)${s.durationMs > result.thresholds.gapMs ? " — over the limit" : ""}`).join("\n"),
    `Limit: ${result.thresholds.gapMs} ms (\`verify --max-stall\`).`,
    "",
  );
  if (result.clientStalls.length > 0) {
    lines.push(
      `Note: ${result.clientStalls.length} slow window(s) happened while the harness itself was starved of CPU ` +
        `(${result.clientStalls.map((s) => `${s.durationMs} ms at ${s.startMs} ms`).join(", ")}); they are not judged.`,
      "",
    );
  }
  return lines.join("\n");
}
