import type { Config } from "../config/types.js";
import { CaddyDriver } from "./caddy.js";
import type { ProxyDriver } from "./driver.js";
import type { FindProxyContainer, ProxyExec } from "./exec.js";
import { HaproxyDriver } from "./haproxy.js";
import { NginxDriver } from "./nginx.js";

export { ProxyChangeRejected, type ProxyDriver } from "./driver.js";
export { ProxyControlError } from "./errors.js";
export type { FindProxyContainer, ProxyExec } from "./exec.js";
export { CaddyDriver, HaproxyDriver, NginxDriver };

/**
 * The driver for the stack's proxy. `docker` and `proxyContainer` are only used by nginx (its
 * changes need `nginx -t` / `nginx -s reload` inside the container); Caddy and HAProxy are
 * driven entirely through their admin sockets in config.proxy.runDir.
 */
export function createProxyDriver(config: Config, docker: ProxyExec, proxyContainer: FindProxyContainer): ProxyDriver {
  switch (config.proxy.driver) {
    case "nginx":
      return new NginxDriver(config, docker, proxyContainer);
    case "caddy":
      return new CaddyDriver(config);
    case "haproxy":
      return new HaproxyDriver(config);
  }
}
