/** Keeps secrets out of what bluegreen prints, logs and writes in reports. */

export const MASK = "***";

/**
 * Parts of a variable name that mark its value as secret. Matched anywhere in the upper-cased
 * name (DB_PASSWORD, APIKEY, GITHUB_TOKEN): masking one variable too many is the safe mistake.
 */
const SECRET_NAME_PARTS = [
  "PASSWORD",
  "PASSWD",
  "PASSPHRASE",
  "SECRET",
  "TOKEN",
  "KEY",
  "CREDENTIAL",
  "CREDS",
  "PRIVATE",
  "AUTH",
  "COOKIE",
  "SESSION",
  "SIGNATURE",
  "SALT",
  "DSN",
  "CONNECTION_STRING",
];

/**
 * Names that look secret but hold working directories, desktop session names and socket paths. The
 * CLI masks its whole output with the process environment: masking XDG_SESSION_CLASS=user would
 * turn every "user" in a message into ***.
 */
const NOT_SECRET = new Set([
  "PWD",
  "OLDPWD",
  "SSH_AUTH_SOCK",
  "XAUTHORITY",
  "SESSION_MANAGER",
  "DESKTOP_SESSION",
  "DBUS_SESSION_BUS_ADDRESS",
  "GPG_AGENT_INFO",
  "GNOME_KEYRING_CONTROL",
  "XDG_SESSION_ID",
  "XDG_SESSION_TYPE",
  "XDG_SESSION_CLASS",
  "XDG_SESSION_DESKTOP",
  "XDG_SESSION_PATH",
]);

/** Secret values shorter than this are not searched for in free text (masking every "1" would ruin logs). */
const MIN_TEXT_SECRET_LENGTH = 4;

/** scheme://user:password@host — the password part of a URL. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)(@)/gi;

export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  if (NOT_SECRET.has(upper)) return false;
  return SECRET_NAME_PARTS.some((part) => upper.includes(part)) || /(^|_)PASS($|_)/.test(upper);
}

/**
 * A copy of `env` with secret values replaced by ***: values of secret-looking names entirely,
 * and passwords inside URLs (postgres://app:hunter2@db) in any value.
 */
export function maskSecrets(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    masked[name] = isSecretName(name) && value !== "" ? MASK : maskUrlPasswords(value);
  }
  return masked;
}

/** Replaces every occurrence in `text` of a secret value of `env` (and URL passwords) with ***. */
export function maskInText(text: string, env: Readonly<Record<string, string | undefined>>): string {
  const secrets = secretValues(env);
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return maskUrlPasswords(out);
}

/** The secret values of `env`, longest first so a secret containing another is masked whole. */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (isSecretName(name) && value.length >= MIN_TEXT_SECRET_LENGTH) values.add(value);
    for (const match of value.matchAll(URL_PASSWORD)) {
      const password = match[2];
      if (password !== undefined && password.length >= MIN_TEXT_SECRET_LENGTH) values.add(password);
    }
  }
  return [...values].sort((a, b) => b.length - a.length);
}

export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, `$1${MASK}$3`);
}
