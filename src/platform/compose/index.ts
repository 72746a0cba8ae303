export * from "./types.js";
export { parseComposeProject, parseComposeText, mergeComposeDocuments, projectFromDocument, serviceFacts, parsePort, servicePort, isMapping } from "./parse.js";
export type { Mapping } from "./parse.js";
export { findComposeFiles, readComposeProject, validateWithCompose, DEFAULT_COMPOSE_FILES } from "./read.js";
