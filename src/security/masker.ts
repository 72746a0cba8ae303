/**
 * One masker per operation or process: the secret values are collected once from the environments
 * given, then every text (or every string inside an event object) that leaves bluegreen is masked.
 */
import { MASK, maskUrlPasswords, secretValues } from "./mask.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface Masker {
  /** `text` with every secret value (and URL password) replaced by ***. */
  text(text: string): string;
  /** A copy of a JSON-like value (events, results, history entries) with every string masked. */
  deep<T>(value: T): T;
}

export function createMasker(...envs: Env[]): Masker {
  const secrets = secretValues(Object.assign({}, ...envs) as Env);
  const text = (input: string): string => {
    let out = input;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return maskUrlPasswords(out);
  };
  const deep = <T>(value: T): T => {
    if (typeof value === "string") return text(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => deep(v)) as T;
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v)])) as T;
    }
    return value;
  };
  return { text, deep };
}

/**
 * Masks everything written to `stream` from now on (string chunks; Buffers pass through untouched).
 * The last line of defence for the CLI: whatever text reaches stdout/stderr is masked, whichever
 * code path produced it. Returns a function that restores the original write.
 */
export function maskStreamWrites(stream: NodeJS.WritableStream, masker: Masker): () => void {
  const original = stream.write;
  const patched = function (this: NodeJS.WritableStream, chunk: unknown, ...rest: unknown[]): boolean {
    const masked = typeof chunk === "string" ? masker.text(chunk) : chunk;
    return (original as (...args: unknown[]) => boolean).call(this, masked, ...rest);
  };
  stream.write = patched as NodeJS.WritableStream["write"];
  return () => {
    if (stream.write === (patched as NodeJS.WritableStream["write"])) stream.write = original;
  };
}
