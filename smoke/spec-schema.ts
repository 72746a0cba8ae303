/**
 * The zod schema of a smoke spec file (YAML). Every object is strict: an unknown key is an error that
 * names the key and the allowed ones, because a misspelt expectation silently checking nothing is the
 * worst failure a smoke test can have.
 */
import { z } from "zod";
import { parseDuration } from "../src/config/duration.js";
import { escapeRegExp, isKnownVariable, KNOWN_VARIABLES, placeholdersIn } from "./variables.js";

/** Marker the spec loader recognises to split an unknown-keys issue into one issue per key. */
export const ALLOWED_KEYS_PREFIX = "allowed keys: ";

function strict<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `${ALLOWED_KEYS_PREFIX}${allowed}` : undefined),
  });
}

const MAX_DURATION_MS = 5 * 60_000;

function duration() {
  return z
    .unknown()
    .transform((value, ctx): number => {
    // The config's grammar (500ms, 2s, 1.5m, 1m30s), but a unit is required: "2" in a spec is ambiguous.
    const parsed = typeof value === "string" && !/^\s*\d+(\.\d+)?\s*$/.test(value) ? parseDuration(value) : undefined;
    const ms = parsed?.ok ? parsed.ms : undefined;
    if (ms !== undefined && ms > 0 && ms <= MAX_DURATION_MS) return ms;
    ctx.addIssue({
      code: "custom",
      message:
        typeof value === "number"
          ? `a duration needs a unit: write ${value}ms or ${value}s`
          : ms !== undefined
            ? `duration must be more than 0 and at most 5m, got ${String(value)}`
            : `expected a duration with a unit such as 2s or 500ms, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  })
    .optional();
}

const retries = z.int("retries must be a whole number").min(0, "retries cannot be negative").max(20, "retries is at most 20");
const repeat = z.int("repeat must be a whole number").min(1, "repeat is at least 1").max(1000, "repeat is at most 1000");

/** Strings in expectations may use ${EXPECT_VERSION} / ${EXPECT_COLOR}, nothing else. */
function checkPlaceholders(text: string, ctx: z.RefinementCtx): void {
  for (const name of placeholdersIn(text)) {
    if (!isKnownVariable(name)) {
      ctx.addIssue({
        code: "custom",
        message: `unknown variable \${${name}}; only ${KNOWN_VARIABLES.map((v) => `\${${v}}`).join(" and ")} are substituted`,
      });
    }
  }
}

/** Request parts are sent as written, so a placeholder there would be sent literally: refuse it. */
const literalString = z.string().superRefine((text, ctx) => {
  if (placeholdersIn(text).length > 0) {
    ctx.addIssue({ code: "custom", message: "variables like ${EXPECT_VERSION} are only substituted in expectations, not in requests" });
  }
});

const expectationString = z.string().superRefine(checkPlaceholders);

const regexString = z.string().superRefine((pattern, ctx) => {
  checkPlaceholders(pattern, ctx);
  try {
    // Placeholders are replaced by an escaped literal at run time; validate with a stand-in.
    new RegExp(pattern.replace(/\$\{[^}]*\}/g, escapeRegExp("x")));
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `not a valid regular expression: ${(err as Error).message}` });
  }
});

const MATCHER_FORMS = "a plain value (string, number, true/false, null) or one of {exists: true|false}, {matches: <regex>}, {equals: <value>}, {increments: true}";

const matcherObject = strict({
  exists: z.boolean().optional(),
  matches: regexString.optional(),
  equals: z.unknown().optional(),
  increments: z.literal(true, "increments can only be true").optional(),
}).superRefine((value, ctx) => {
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    ctx.addIssue({ code: "custom", message: `a matcher object has exactly one of exists, matches, equals, increments; got ${keys.length === 0 ? "none" : keys.join(", ")}` });
  }
  if (typeof value.equals === "string") checkPlaceholders(value.equals, ctx);
}, { when: (payload) => payload.issues.length === 0 });

export const matcherSchema = z.union([expectationString, z.number(), z.boolean(), z.null(), matcherObject], {
  error: () => `expected ${MATCHER_FORMS}`,
});

const FIELD_PATH_RE = /^[^.\s]+(\.[^.\s]+)*$/;
const matcherMap = z.record(
  z.string().regex(FIELD_PATH_RE, "field paths are dot-separated names without spaces, like checks.redis"),
  matcherSchema,
);

const requestPath = literalString.refine((p) => p.startsWith("/"), "path must start with /, like /health");
const headerMap = z.record(z.string().min(1), literalString);

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

const httpRequest = strict({
  method: z.enum(METHODS, `method must be one of ${METHODS.join(", ")}`).default("GET"),
  path: requestPath,
  headers: headerMap.optional(),
  body: z.string().optional(),
  json: z.unknown().optional(),
}).refine((r) => r.body === undefined || r.json === undefined, "give either body (text) or json, not both");

const statusCode = z.int("status must be a whole number").min(100, "status codes are 100–599").max(599, "status codes are 100–599");

const httpExpect = strict({
  status: z.union([statusCode, z.array(statusCode).min(1)], "status must be a code like 200 or a list like [200, 204]").optional(),
  json: matcherMap.optional(),
  headers: matcherMap.optional(),
  bodyContains: expectationString.optional(),
  /** The color that served the response: the proxy's X-Bluegreen-Color, else the app's X-App-Color. */
  color: matcherSchema.optional(),
});

const wsBlock = strict({
  path: requestPath,
  headers: headerMap.optional(),
  protocols: z.array(z.string().min(1)).optional(),
  expectFirst: matcherMap.optional(),
  send: literalString.optional(),
  expectReply: matcherMap.optional(),
  echoWithin: duration(),
}).superRefine((ws, ctx) => {
  if (ws.send === undefined && (ws.expectReply !== undefined || ws.echoWithin !== undefined)) {
    ctx.addIssue({ code: "custom", message: "expectReply and echoWithin need send: the message whose echo is awaited" });
  }
});

const checkSchema = strict({
  name: z.string("every check needs a name").trim().min(1, "name cannot be empty"),
  http: httpRequest.optional(),
  ws: wsBlock.optional(),
  expect: httpExpect.optional(),
  timeout: duration(),
  retries: retries.optional(),
  retryDelay: duration(),
  repeat: repeat.optional(),
}).superRefine((check, ctx) => {
  if ((check.http === undefined) === (check.ws === undefined)) {
    ctx.addIssue({ code: "custom", message: `check "${check.name}" needs exactly one of http or ws` });
  }
  if (check.ws !== undefined && check.expect !== undefined) {
    ctx.addIssue({ code: "custom", path: ["expect"], message: "expect applies to http checks; a ws check states its expectations in ws.expectFirst / ws.expectReply" });
  }
});

const defaultsSchema = strict({ timeout: duration(), retries: retries.optional(), retryDelay: duration() });

export const smokeSpecSchema = strict({
  defaults: defaultsSchema.optional(),
  checks: z.array(checkSchema, "checks must be a list of checks").min(1, "a spec needs at least one check"),
}).superRefine((spec, ctx) => {
  const seen = new Map<string, number>();
  spec.checks.forEach((check, index) => {
    const first = seen.get(check.name);
    if (first !== undefined) {
      ctx.addIssue({ code: "custom", path: ["checks", index, "name"], message: `duplicate check name "${check.name}" (also check #${first + 1}); names identify checks in reports` });
    } else {
      seen.set(check.name, index);
    }
  });
});

export type SmokeSpecInput = z.output<typeof smokeSpecSchema>;
export type CheckInput = SmokeSpecInput["checks"][number];
export type MatcherInput = z.output<typeof matcherSchema>;
