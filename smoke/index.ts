/** Public API of the smoke runner, for the engine (deploy) and the CLI (`bluegreen smoke`). */
export { runSmoke, SmokeUsageError } from "./runner.js";
export { loadSmokeSpec, parseSmokeSpec, SmokeSpecError, BUILTIN_DEFAULTS, type SpecIssue } from "./spec.js";
export { runSmokeCommand, demoSpecPath, type SmokeCommandOptions } from "./command.js";
export { formatCheckResult, formatSummary, formatTextReport, shouldUseColor, type TextStyle } from "./report/text.js";
export { formatJsonEvent, formatJsonResult } from "./report/json.js";
export { formatJUnit, escapeXml } from "./report/junit.js";
export { formatDuration } from "./duration.js";
export type * from "./types.js";
