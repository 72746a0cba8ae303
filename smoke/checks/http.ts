/** One attempt of an HTTP check: request(s) with undici, then every expectation compared. */
import type { Agent, Dispatcher } from "undici";
import { request } from "undici";
import { APP_COLOR_HEADER, COLOR_HEADER_HELP, PROXY_COLOR_HEADER, servedColor } from "../../src/net/color-header.js";
import { describeValue, evaluateMatcher, lookupPath, truncate, type Lookup } from "../matchers.js";
import type { CheckFailure, HttpCheckSpec } from "../types.js";
import { missingVariables, substitute, type VariableValues } from "../variables.js";
import { BODY_EXCERPT_CHARS, type AttemptOutcome } from "./attempt.js";
import { checkUrl } from "./target.js";

/** Bodies above this are not read further: a smoke check needs the head of a response, not a download. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpContext {
  baseUrl: URL;
  agent: Agent;
  vars: VariableValues;
  /** Set only with an expected version: the header that must carry it on every response. */
  versionHeader?: string;
  signal?: AbortSignal;
}

interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  truncated: boolean;
}

export async function httpAttempt(check: HttpCheckSpec, ctx: HttpContext): Promise<AttemptOutcome> {
  const notes: string[] = [];
  const usesIncrements = check.expect.json.some((m) => m.matcher.kind === "increments");
  let first: Exchange | undefined;
  if (usesIncrements) {
    const got = await exchange(check, ctx);
    if ("error" in got) return { ok: false, failures: [], error: `first of two requests: ${got.error}`, notes };
    first = got;
    const statusFailure = checkStatus(check, first.status);
    if (statusFailure) return failed([{ ...statusFailure, what: "status (first of two requests)" }], first, notes);
  }
  const got = await exchange(check, ctx);
  if ("error" in got) return { ok: false, failures: [], error: usesIncrements ? `second of two requests: ${got.error}` : got.error, notes };

  const failures: CheckFailure[] = [];
  const statusFailure = checkStatus(check, got.status);
  if (statusFailure) failures.push(statusFailure);

  for (const { path: name, matcher } of check.expect.headers) {
    const raw = got.headers[name.toLowerCase()];
    const actual: Lookup = raw === undefined ? { found: false } : { found: true, value: Array.isArray(raw) ? raw.join(", ") : raw };
    const outcome = evaluateMatcher({ what: `header ${name}`, matcher, actual, vars: ctx.vars, compareAsText: true });
    if (outcome.failure) failures.push(outcome.failure);
    if (outcome.note) notes.push(outcome.note);
  }

  const versionFailure = checkVersionHeader(ctx, got);
  if (versionFailure) failures.push(versionFailure);
  if (check.expect.color !== undefined) {
    const served = servedColor(got.headers);
    const value = served.color ?? served.raw;
    const actual: Lookup = value === null ? { found: false } : { found: true, value };
    const what = served.source === "app" ? `color (${APP_COLOR_HEADER}: the proxy sent no ${PROXY_COLOR_HEADER})` : `color (${PROXY_COLOR_HEADER})`;
    const outcome = evaluateMatcher({ what, matcher: check.expect.color, actual, vars: ctx.vars, compareAsText: true });
    if (outcome.failure) failures.push(served.source === "none" ? { ...outcome.failure, actual: `no ${PROXY_COLOR_HEADER} or ${APP_COLOR_HEADER} header. ${COLOR_HEADER_HELP}` } : outcome.failure);
    if (outcome.note) notes.push(outcome.note);
  }

  if (check.expect.json.length > 0) {
    const parsed = parseJson(got.body);
    const parsedFirst = first ? parseJson(first.body) : undefined;
    if (!parsed.ok) {
      failures.push({ what: "json body", expected: "a JSON body", actual: got.truncated ? `a body over ${MAX_BODY_BYTES} bytes` : "a body that is not JSON" });
    } else {
      for (const { path, matcher } of check.expect.json) {
        const previous = parsedFirst?.ok ? lookupPath(parsedFirst.value, path) : undefined;
        const outcome = evaluateMatcher({ what: `json ${path}`, matcher, actual: lookupPath(parsed.value, path), vars: ctx.vars, ...(previous ? { previous } : {}) });
        if (outcome.failure) failures.push(outcome.failure);
        if (outcome.note) notes.push(outcome.note);
      }
    }
  }

  const contains = check.expect.bodyContains;
  if (contains !== undefined) {
    if (missingVariables(contains, ctx.vars).length > 0) {
      notes.push(`no expected value given for "${contains}": body content not checked`);
    } else {
      const needle = substitute(contains, ctx.vars);
      if (!got.body.includes(needle)) failures.push({ what: "body", expected: `to contain ${JSON.stringify(needle)}`, actual: describeValue({ found: true, value: truncate(got.body, 80) }) });
    }
  }

  return failures.length === 0 ? { ok: true, failures, notes } : failed(failures, got, notes);
}

function failed(failures: CheckFailure[], got: Exchange, notes: string[]): AttemptOutcome {
  return { ok: false, failures, bodyExcerpt: truncate(got.body, BODY_EXCERPT_CHARS), notes };
}

/** smoke.expectVersionHeader: the response must name the expected version in that header. */
function checkVersionHeader(ctx: HttpContext, got: Exchange): CheckFailure | undefined {
  const expected = ctx.vars.EXPECT_VERSION;
  if (!ctx.versionHeader || expected === undefined) return undefined;
  const raw = got.headers[ctx.versionHeader.toLowerCase()];
  const value = Array.isArray(raw) ? raw.join(", ") : raw;
  if (value === expected) return undefined;
  return {
    what: `header ${ctx.versionHeader} (smoke.expectVersionHeader)`,
    expected: JSON.stringify(expected),
    actual: describeValue(value === undefined ? { found: false } : { found: true, value }),
  };
}

function checkStatus(check: HttpCheckSpec, status: number): CheckFailure | undefined {
  const wanted = check.expect.status;
  const ok = wanted === "2xx" ? status >= 200 && status < 300 : wanted.includes(status);
  if (ok) return undefined;
  return { what: "status", expected: wanted === "2xx" ? "2xx" : wanted.join(" or "), actual: String(status) };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

async function exchange(check: HttpCheckSpec, ctx: HttpContext): Promise<Exchange | { error: string }> {
  const url = checkUrl(ctx.baseUrl, check.request.path);
  const timeout = AbortSignal.timeout(check.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...check.request.headers };
  let body: string | undefined = check.request.body;
  if (check.request.json !== undefined) {
    body = JSON.stringify(check.request.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  }
  try {
    const res = await request(url, { dispatcher: ctx.agent, method: check.request.method as Dispatcher.HttpMethod, headers, body, signal });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      chunks.push(buf);
      size += buf.length;
      if (size > MAX_BODY_BYTES) {
        truncated = true;
        res.body.destroy();
        break;
      }
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), truncated };
  } catch (err) {
    if (ctx.signal?.aborted) return { error: "aborted: the smoke run was cancelled" };
    if (timeout.aborted) return { error: `no complete response from ${check.request.method} ${url.href} within ${check.timeoutMs} ms (timeout)` };
    return { error: `${check.request.method} ${url.href} failed: ${describeNetworkError(err)}` };
  }
}

export function describeNetworkError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  const message = e.cause?.message ?? e.message;
  if (code === "ECONNREFUSED") return `connection refused (${message}); is the target up and listening on that port?`;
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return `connection reset by the target (${message})`;
  return code ? `${code}: ${message}` : message;
}
