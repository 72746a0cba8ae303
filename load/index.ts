/** The zero-downtime verification harness: run an operation under traffic and judge it. */
export { verifyAround, throughputSeries, type VerifyOptions, type OperationOutcome } from "./verify.js";
export { startProbeLoop, type ProbeLoop, type ProbeLoopOptions } from "./probe.js";
export { startLoad, type LoadRun, type LoadOptions } from "./autocannon.js";
export { startWsSessions, isCleanClose, type WsSessions, type WsSessionOptions } from "./ws-sessions.js";
export { classifyError, classifyStatus, errorCodeOf } from "./classify.js";
export { findOutages, computeColorTimeline, duringWindow, type OutageFindings, type OutageOptions } from "./timeline.js";
export { evaluateCriteria, verdictOf } from "./verdict.js";
export { summarizeLatency, percentileSorted } from "./stats.js";
export { startClock, type RunClock } from "./clock.js";
export { writeReports, toJson, toJunit, toMarkdown, renderChart, type ReportPaths } from "./report/index.js";
export * from "./types.js";
