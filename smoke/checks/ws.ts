/**
 * One attempt of a WebSocket check with `ws`: the upgrade succeeds, the first message matches, and
 * (optionally) a sent message comes back within the echo time. Other messages in between (e.g. the
 * demo app's ticks) are ignored while waiting for the echo.
 */
import WebSocket, { type RawData } from "ws";
import { evaluateMatcher, lookupPath, truncate } from "../matchers.js";
import type { CheckFailure, MatcherMap, WsCheckSpec } from "../types.js";
import type { VariableValues } from "../variables.js";
import { BODY_EXCERPT_CHARS, type AttemptOutcome } from "./attempt.js";
import { describeNetworkError } from "./http.js";
import { checkUrl } from "./target.js";

export interface WsContext {
  baseUrl: URL;
  vars: VariableValues;
  signal?: AbortSignal;
}

/** How long a finished check waits for the closing handshake before dropping the socket. */
const CLOSE_GRACE_MS = 500;

export function wsAttempt(check: WsCheckSpec, ctx: WsContext): Promise<AttemptOutcome> {
  const spec = check.ws;
  const url = checkUrl(ctx.baseUrl, spec.path, ctx.baseUrl.protocol === "https:" ? "wss" : "ws");
  const notes: string[] = [];

  return new Promise<AttemptOutcome>((resolve) => {
    let phase: "upgrade" | "first" | "echo" | "done" = "upgrade";
    let otherMessages = 0;
    let lastOther = "";
    let echoSentAt = 0;
    const socket = new WebSocket(url, [...spec.protocols], {
      headers: spec.headers,
      handshakeTimeout: check.timeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
    });

    const finish = (outcome: Omit<AttemptOutcome, "notes">): void => {
      if (phase === "done") return;
      phase = "done";
      clearTimeout(timer);
      ctx.signal?.removeEventListener("abort", onAbort);
      closeQuietly(socket);
      resolve({ ...outcome, notes });
    };
    const fail = (failures: CheckFailure[], excerpt?: string): void =>
      finish({ ok: false, failures, ...(excerpt !== undefined ? { bodyExcerpt: truncate(excerpt, BODY_EXCERPT_CHARS) } : {}) });
    const onAbort = (): void => finish({ ok: false, failures: [], error: "aborted: the smoke run was cancelled" });
    ctx.signal?.addEventListener("abort", onAbort, { once: true });

    // Upgrade + first message share the check timeout; the echo gets its own window once sent.
    let timer = setTimeout(() => {
      if (phase === "upgrade") finish({ ok: false, failures: [], error: `no WebSocket upgrade from ${url.href} within ${check.timeoutMs} ms (timeout)` });
      else fail([{ what: "ws first message", expected: `a message within ${check.timeoutMs} ms`, actual: "nothing (timeout)" }]);
    }, check.timeoutMs);

    const sendEcho = (): void => {
      if (spec.send === undefined) return finish({ ok: true, failures: [] });
      phase = "echo";
      clearTimeout(timer);
      echoSentAt = performance.now();
      socket.send(spec.send);
      timer = setTimeout(() => {
        const seen = otherMessages === 0 ? "no message at all" : `${otherMessages} other message(s), last ${truncate(lastOther, 120)}`;
        fail([{ what: "ws echo", expected: `a reply matching ${describeReply(check)} within ${spec.echoWithinMs} ms`, actual: `none (timeout); got ${seen}` }]);
      }, spec.echoWithinMs);
    };

    socket.on("unexpected-response", (req, res) => {
      // We own the response now: read a bounded excerpt, then drop the connection.
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < BODY_EXCERPT_CHARS) body += chunk;
      });
      const done = (): void => {
        fail([{ what: "ws upgrade", expected: "101 Switching Protocols", actual: `${res.statusCode ?? "?"} ${res.statusMessage ?? ""}`.trim() }], body);
        req.destroy();
      };
      res.on("end", done);
      res.on("error", done);
    });
    socket.on("error", (err) => finish({ ok: false, failures: [], error: `WebSocket ${url.href}: ${describeNetworkError(err)}` }));
    socket.on("open", () => {
      phase = "first";
      if (spec.expectFirst.length === 0) sendEcho();
    });
    socket.on("message", (data: RawData) => {
      const text = rawToText(data);
      if (phase === "first") {
        const failures = matchAll(spec.expectFirst, text, "ws first message", ctx.vars, notes);
        if (failures.length > 0) return fail(failures, text);
        return sendEcho();
      }
      if (phase === "echo") {
        if (isReply(check, text, ctx.vars, notes)) return finish({ ok: true, failures: [] });
        otherMessages += 1;
        lastOther = text;
      }
    });
    socket.on("close", (code, reason) => {
      if (phase === "done") return;
      const closed = `connection closed (code ${code}${reason.length > 0 ? `, ${reason.toString()}` : ""}) before it arrived`;
      if (phase === "upgrade") return finish({ ok: false, failures: [], error: `WebSocket ${url.href}: ${closed}` });
      const what = phase === "first" ? "ws first message" : "ws echo";
      fail([{ what, expected: phase === "first" ? "a first message" : `a reply within ${spec.echoWithinMs} ms (waited ${Math.round(performance.now() - echoSentAt)} ms)`, actual: closed }]);
    });
  });
}

function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function matchAll(matchers: MatcherMap, text: string, label: string, vars: VariableValues, notes: string[]): CheckFailure[] {
  const parsed = parse(text);
  if (!parsed.ok) return [{ what: label, expected: "a JSON message", actual: truncate(text, 120) }];
  const failures: CheckFailure[] = [];
  for (const { path, matcher } of matchers) {
    const outcome = evaluateMatcher({ what: `${label} ${path}`, matcher, actual: lookupPath(parsed.value, path), vars });
    if (outcome.failure) failures.push(outcome.failure);
    if (outcome.note) notes.push(outcome.note);
  }
  return failures;
}

/** With expectReply, every matcher must hold; without it, the text itself or a JSON `data` field equal to what was sent. */
function isReply(check: WsCheckSpec, text: string, vars: VariableValues, notes: string[]): boolean {
  const { expectReply, send } = check.ws;
  if (expectReply !== undefined) {
    const replyNotes: string[] = [];
    const ok = matchAll(expectReply, text, "ws echo", vars, replyNotes).length === 0;
    if (ok) notes.push(...replyNotes);
    return ok;
  }
  if (text === send) return true;
  const parsed = parse(text);
  return parsed.ok && lookupPath(parsed.value, "data").found && (parsed.value as { data: unknown }).data === send;
}

function describeReply(check: WsCheckSpec): string {
  const { expectReply, send } = check.ws;
  if (expectReply === undefined) return `${JSON.stringify(send)} (as text or as JSON data)`;
  return `{${expectReply.map(({ path, matcher }) => `${path}: ${matcher.kind === "equals" ? JSON.stringify(matcher.value) : matcher.kind}`).join(", ")}}`;
}

function closeQuietly(socket: WebSocket): void {
  if (socket.readyState === WebSocket.CLOSED) return;
  if (socket.readyState === WebSocket.OPEN) {
    socket.close(1000, "smoke check done");
    setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
  } else {
    socket.terminate();
  }
}
