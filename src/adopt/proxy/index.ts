import type { ProxyConfigInput, ProxyConfigPlan } from "./types.js";
import { caddyConfig } from "./caddy.js";
import { haproxyConfig } from "./haproxy.js";
import { nginxConfig } from "./nginx.js";

export type { NginxRouteChoice, ProxyConfigInput, ProxyConfigPlan, ProxyExtraFile } from "./types.js";

export function proxyConfig(input: ProxyConfigInput): ProxyConfigPlan {
  switch (input.driver) {
    case "nginx":
      return nginxConfig(input);
    case "caddy":
      return caddyConfig(input);
    case "haproxy":
      return haproxyConfig(input);
  }
}
