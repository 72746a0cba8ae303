/**
 * Variables the config's `env:` may not set. That environment reaches every compose (and docker)
 * process bluegreen spawns, so a key that picks the program search path, preloads a library, adds
 * interpreter code or points at another Docker daemon or compose project would let a config file
 * make bluegreen run any binary or act on another stack. Exact names and name prefixes.
 */
const EXACT = new Set([
  // Which binary runs, and which shell start-up code.
  "PATH",
  "SHELL",
  "BASH_ENV",
  "ENV",
  "IFS",
  "CDPATH",
  "PS4",
  "SHELLOPTS",
  "BASHOPTS",
  "GLOBIGNORE",
  // Interpreters compose or its plugins may start.
  "NODE_OPTIONS",
  "NODE_PATH",
  "RUBYOPT",
  "RUBYLIB",
  "GEM_PATH",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "GCONV_PATH",
  "HOSTALIASES",
  // Which Docker daemon, credentials and CLI plugins (HOME: ~/.docker/config.json names credential helpers to run).
  "HOME",
  "XDG_CONFIG_HOME",
  "DOCKER_HOST",
  "DOCKER_CONFIG",
  "DOCKER_CERT_PATH",
  "DOCKER_TLS_VERIFY",
  "DOCKER_TLS",
  "DOCKER_CONTEXT",
  "DOCKER_API_VERSION",
  "DOCKER_DEFAULT_PLATFORM",
  "DOCKER_CLI_PLUGIN_EXTRA_DIRS",
  "BUILDX_CONFIG",
  // Which files and project compose works on (bluegreen passes them as arguments).
  "COMPOSE_FILE",
  "COMPOSE_PROJECT_NAME",
  "COMPOSE_PATH_SEPARATOR",
  "COMPOSE_PROFILES",
  "COMPOSE_ENV_FILES",
  "COMPOSE_PROJECT_DIRECTORY",
  "COMPOSE_DOCKER_CLI_BUILD",
  "COMPOSE_TLS_VERSION",
]);

/** Loader and interpreter families (docker-compose v1 is a Python program). */
const PREFIXES = ["LD_", "DYLD_", "PYTHON", "PERL5", "PERLLIB"];

/** Why `name` may not be set in env (a sentence naming the fix), or null when it may. */
export function refusedEnvReason(name: string): string | null {
  const upper = name.toUpperCase();
  if (upper.startsWith("DOCKER_") && EXACT.has(upper)) {
    return "selects the Docker daemon, credentials or CLI plugins for every command bluegreen runs; remove it from env (set the daemon with docker.host, e.g. `docker: { host: unix:///var/run/docker.sock }`)";
  }
  if (upper.startsWith("COMPOSE_") && EXACT.has(upper)) {
    return "picks the files or project compose acts on (bluegreen passes them itself from compose: and stack:); remove it from env";
  }
  if (EXACT.has(upper) || PREFIXES.some((prefix) => upper.startsWith(prefix))) {
    return "changes which programs or code bluegreen's child processes run (search path, preloaded libraries, interpreter options); remove it from env and set it, if it must be, in the environment of the shell that starts bluegreen";
  }
  return null;
}
