/**
 * Loading a smoke spec: YAML → zod validation → the normalised SmokeSpec the runner executes.
 * Every problem is reported with the file, line and column and the dotted path of the key, so an
 * operator can fix the spec without guessing.
 */
import { readFile } from "node:fs/promises";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import { ALLOWED_KEYS_PREFIX, smokeSpecSchema, type CheckInput, type MatcherInput } from "./spec-schema.js";
import type { CheckSpec, Matcher, MatcherMap, SmokeSpec } from "./types.js";

export const BUILTIN_DEFAULTS = { timeoutMs: 5000, retries: 2, retryDelayMs: 250, echoWithinMs: 1000 } as const;

export interface SpecIssue {
  /** 1-based; 0 when the problem is not at a place in the file (it could not be read). */
  line: number;
  column: number;
  /** Dotted path of the offending key, e.g. "checks[2].expect.stauts". */
  path: string;
  message: string;
}

/** A spec that cannot be run. `message` lists every issue, one per line, as file:line:col: path: problem. */
export class SmokeSpecError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly SpecIssue[],
  ) {
    super(
      `smoke spec ${source} is invalid (${issues.length} problem${issues.length === 1 ? "" : "s"}); nothing was checked. Fix these and run again:\n` +
        issues.map((i) => `  ${source}${i.line > 0 ? `:${i.line}:${i.column}` : ""}: ${i.path ? `${i.path}: ` : ""}${i.message}`).join("\n"),
    );
    this.name = "SmokeSpecError";
  }
}

export async function loadSmokeSpec(file: string): Promise<SmokeSpec> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new SmokeSpecError(file, [
      { line: 0, column: 0, path: "", message: `cannot read the file (${code}: ${(err as Error).message}); check the path given as the spec file` },
    ]);
  }
  return parseSmokeSpec(text, file);
}

export function parseSmokeSpec(text: string, source = "<spec>"): SmokeSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SmokeSpecError(
      source,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, path: "", message: `YAML: ${e.message.split("\n")[0] ?? e.code}` };
      }),
    );
  }
  const parsed = smokeSpecSchema.safeParse(doc.toJS(), { reportInput: true });
  if (!parsed.success) {
    const issues = flattenIssues(parsed.error.issues, []).map((flat) => {
      const offset = locate(doc, flat.path, flat.key);
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col, path: formatPath(flat.key === undefined ? flat.path : [...flat.path, flat.key]), message: flat.message };
    });
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new SmokeSpecError(source, issues);
  }
  const spec = parsed.data;
  const defaults = {
    timeoutMs: spec.defaults?.timeout ?? BUILTIN_DEFAULTS.timeoutMs,
    retries: spec.defaults?.retries ?? BUILTIN_DEFAULTS.retries,
    retryDelayMs: spec.defaults?.retryDelay ?? BUILTIN_DEFAULTS.retryDelayMs,
  };
  const checks = spec.checks.map((check, index) => {
    const line = lineCounter.linePos(locate(doc, ["checks", index])).line;
    return toCheckSpec(check, line, defaults);
  });
  return { source, checks };
}

function toCheckSpec(check: CheckInput, line: number, defaults: { timeoutMs: number; retries: number; retryDelayMs: number }): CheckSpec {
  const base = {
    name: check.name,
    line,
    timeoutMs: check.timeout ?? defaults.timeoutMs,
    retries: check.retries ?? defaults.retries,
    retryDelayMs: check.retryDelay ?? defaults.retryDelayMs,
    repeat: check.repeat ?? 1,
  };
  if (check.ws !== undefined) {
    const ws = check.ws;
    return {
      ...base,
      kind: "ws",
      ws: {
        path: ws.path,
        headers: ws.headers ?? {},
        protocols: ws.protocols ?? [],
        expectFirst: toMatcherMap(ws.expectFirst),
        ...(ws.send !== undefined ? { send: ws.send } : {}),
        ...(ws.expectReply !== undefined ? { expectReply: toMatcherMap(ws.expectReply) } : {}),
        echoWithinMs: ws.echoWithin ?? BUILTIN_DEFAULTS.echoWithinMs,
      },
    };
  }
  // The schema guarantees exactly one of http / ws.
  const http = check.http as NonNullable<CheckInput["http"]>;
  const status = check.expect?.status;
  return {
    ...base,
    kind: "http",
    request: {
      method: http.method,
      path: http.path,
      headers: http.headers ?? {},
      ...(http.body !== undefined ? { body: http.body } : {}),
      ...(http.json !== undefined ? { json: http.json } : {}),
    },
    expect: {
      status: status === undefined ? "2xx" : Array.isArray(status) ? status : [status],
      json: toMatcherMap(check.expect?.json),
      headers: toMatcherMap(check.expect?.headers),
      ...(check.expect?.bodyContains !== undefined ? { bodyContains: check.expect.bodyContains } : {}),
      ...(check.expect?.color !== undefined ? { color: toMatcher(check.expect.color) } : {}),
    },
  };
}

function toMatcherMap(record: Record<string, MatcherInput> | undefined): MatcherMap {
  return Object.entries(record ?? {}).map(([path, input]) => ({ path, matcher: toMatcher(input) }));
}

function toMatcher(input: MatcherInput): Matcher {
  if (input === null || typeof input !== "object") return { kind: "equals", value: input };
  if (input.exists !== undefined) return { kind: "exists", exists: input.exists };
  if (input.matches !== undefined) return { kind: "matches", pattern: input.matches };
  if (input.increments !== undefined) return { kind: "increments" };
  return { kind: "equals", value: input.equals };
}

// ---- issue flattening and location ----------------------------------------------------------

type Issue = z.ZodError["issues"][number];
type PathKey = PropertyKey;
interface FlatIssue {
  path: PathKey[];
  /** Set for unknown keys: the key itself, located at its own line. */
  key?: string;
  message: string;
}

function flattenIssues(issues: readonly Issue[], prefix: PathKey[]): FlatIssue[] {
  const out: FlatIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union") {
      // Report the branch the author evidently meant (the one that got past the type check), if any.
      const meant = issue.errors.filter((branch) => !branch.every((i) => i.code === "invalid_type" && i.path.length === 0));
      const [only] = meant;
      if (meant.length === 1 && only) out.push(...flattenIssues(only, path));
      else out.push({ path, message: issue.message });
    } else if (issue.code === "unrecognized_keys") {
      const allowed = issue.message.startsWith(ALLOWED_KEYS_PREFIX) ? `; ${issue.message}` : "";
      for (const key of issue.keys) out.push({ path, key, message: `unknown key "${key}"${allowed}` });
    } else if (issue.code === "invalid_type" && issue.input === undefined) {
      out.push({ path, message: `missing required key "${String(path[path.length - 1])}"` });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** Offset in the text of the node at `path` (or of `key` inside it), falling back to the nearest ancestor. */
function locate(doc: Document, path: readonly PathKey[], key?: string): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  const steps: PathKey[] = key === undefined ? [...path] : [...path, key];
  for (const [i, step] of steps.entries()) {
    const isKeyStep = key !== undefined && i === steps.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(step));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      const valueStart = rangeStart(pair.value);
      offset = isKeyStep ? (keyStart ?? offset) : (valueStart ?? keyStart ?? offset);
      node = pair.value;
    } else if (isSeq(node) && typeof step === "number") {
      const item: unknown = node.items[step];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

function formatPath(path: readonly PathKey[]): string {
  let out = "";
  for (const step of path) {
    if (typeof step === "number") out += `[${step}]`;
    else out += out === "" ? String(step) : `.${String(step)}`;
  }
  return out;
}
