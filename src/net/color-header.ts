import { isColor, type Color } from "../domain/color.js";

/**
 * Which color served a response. The proxy marks every response of the live and preview routes
 * with X-Bluegreen-Color, so any app works unchanged; an app's own X-App-Color (the demo app sends
 * one) is read only when the proxy's header is absent.
 */
export const PROXY_COLOR_HEADER = "X-Bluegreen-Color";
export const APP_COLOR_HEADER = "X-App-Color";

export type ColorSource = "proxy" | "app" | "none";

type Headers = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The served color and where it was read; `raw` is the header value when it is not a known color. */
export function servedColor(headers: Headers): { color: Color | null; source: ColorSource; raw: string | null } {
  for (const [name, source] of [
    [PROXY_COLOR_HEADER, "proxy"],
    [APP_COLOR_HEADER, "app"],
  ] as const) {
    const value = first(headers[name.toLowerCase()]);
    if (value !== undefined) return { color: isColor(value) ? value : null, source, raw: isColor(value) ? null : value };
  }
  return { color: null, source: "none", raw: null };
}

/** What to tell an operator whose responses carry no known color. */
export const COLOR_HEADER_HELP =
  `bluegreen reads the serving color from the ${PROXY_COLOR_HEADER} response header that the proxy adds ` +
  `(falling back to the app's ${APP_COLOR_HEADER}); add it to the live and preview routes of the proxy: ` +
  `nginx \`add_header ${PROXY_COLOR_HEADER} $bg_color always;\`, HAProxy \`http-response set-header ${PROXY_COLOR_HEADER} <color>\` per server, ` +
  `Caddy \`headers.response.set\` in the reverse_proxy handler (see docs/CONTRACTS.md)`;
