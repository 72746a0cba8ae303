/**
 * `${VAR}` interpolation in configuration string values, with the compose forms operators know:
 *   ${VAR}          value of VAR; an error when VAR is unset (a silent empty string hides mistakes)
 *   ${VAR:-default} default when VAR is unset or empty;  ${VAR-default} only when unset
 *   ${VAR:?message} an error with message when VAR is unset or empty; ${VAR?message} only when unset
 *   $${             a literal "${"
 * A bare `$VAR` is left as it is.
 */

export type InterpolationResult = { ok: true; value: string } | { ok: false; reason: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolate(text: string, env: NodeJS.ProcessEnv): InterpolationResult {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      out += "${";
      i += 3;
      continue;
    }
    if (!text.startsWith("${", i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf("}", i + 2);
    if (close < 0) return { ok: false, reason: `has an unclosed "\${" at character ${i + 1}; close it with "}" or write "$\${" for a literal` };
    const expression = text.slice(i + 2, close);
    const resolved = resolveExpression(expression, env);
    if (!resolved.ok) return resolved;
    out += resolved.value;
    i = close + 1;
  }
  return { ok: true, value: out };
}

function resolveExpression(expression: string, env: NodeJS.ProcessEnv): InterpolationResult {
  const operator = /^([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?(.*)$/s.exec(expression);
  const name = operator?.[1];
  if (!operator || name === undefined || !NAME.test(name) || (operator[2] === undefined && operator[3] !== "")) {
    return { ok: false, reason: `has an invalid "\${${expression}}"; use \${VAR}, \${VAR:-default} or \${VAR:?message}` };
  }
  const op = operator[2];
  const argument = operator[3] ?? "";
  const value = env[name];
  const unset = value === undefined;
  const unsetOrEmpty = unset || value === "";
  switch (op) {
    case undefined:
      if (unset) return { ok: false, reason: `uses \${${name}} but ${name} is not set in the environment; set it, or give a default with \${${name}:-value}` };
      return { ok: true, value };
    case ":-":
      return { ok: true, value: unsetOrEmpty ? argument : value };
    case "-":
      return { ok: true, value: unset ? argument : value };
    case ":?":
    case "?": {
      const missing = op === ":?" ? unsetOrEmpty : unset;
      if (missing) return { ok: false, reason: `needs ${name} in the environment: ${argument || `${name} is not set`}` };
      return { ok: true, value: value ?? "" };
    }
    default:
      return { ok: false, reason: `has an invalid "\${${expression}}"` };
  }
}
