export type { Config, ProxyDriverName } from "./types.js";
export { loadConfig, type LoadOptions } from "./load.js";
export { parseConfig, parseConfigWithSource, RESERVED_ENV, DURATION_OVERRIDES } from "./parse.js";
export { validateServicesAgainstCompose } from "./compose-services.js";
export { ConfigError, formatIssue, type ConfigIssue } from "./errors.js";
export { parseDuration, parseShellDuration, formatDuration } from "./duration.js";
export { interpolate } from "./interpolate.js";
export { PROXY_DRIVERS, DEFAULTS } from "./schema.js";
