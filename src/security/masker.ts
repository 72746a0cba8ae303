/**
 * One masker per operation or process: the secret values are collected from the environments
 * given (and any learnt later, such as the config's env), then every text (or every string inside
 * an event object) that leaves bluegreen is masked.
 */
import { StringDecoder } from "node:string_decoder";
import { MASK, maskUrlPasswords, secretValues } from "./mask.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface Masker {
  /** `text` with every secret value (and URL password) replaced by ***. */
  text(text: string): string;
  /** A copy of a JSON-like value (events, results, history entries) with every string masked. */
  deep<T>(value: T): T;
  /** Learns the secret values of one more environment (e.g. the config's env once it is loaded). */
  add(env: Env): void;
  /** How many characters at the end of `text` could be the start of a secret (0 when none). */
  partialSecretAtEnd(text: string): number;
}

export function createMasker(...envs: Env[]): Masker {
  let secrets: string[] = [];
  const add = (env: Env): void => {
    secrets = [...new Set([...secrets, ...secretValues(env)])].sort((a, b) => b.length - a.length);
  };
  for (const env of envs) add(env);
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
  const partialSecretAtEnd = (input: string): number => {
    let longest = 0;
    for (const secret of secrets) {
      for (let n = Math.min(secret.length - 1, input.length); n > longest; n--) {
        if (input.endsWith(secret.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  };
  return { text, deep, add, partialSecretAtEnd };
}

/** Held-back text (a possible start of a secret) goes out by itself after this long without a write. */
const HOLD_MS = 30;

type WriteCallback = (err?: Error | null) => void;

/**
 * Masks everything written to `stream` from now on: strings in any encoding, Buffers and typed
 * arrays (decoded as UTF-8, a character split between chunks kept whole), and a secret split
 * across writes: the end of a chunk that could start a secret is held back until the next write
 * shows whether it does (or for HOLD_MS at most). The last line of defence for the CLI: whatever
 * reaches stdout/stderr is masked, whichever code path produced it. Returns a function that writes
 * out anything held back and restores the original write.
 */
export function maskStreamWrites(stream: NodeJS.WritableStream, masker: Masker): () => void {
  const original = stream.write as (...args: unknown[]) => boolean;
  const decoder = new StringDecoder("utf8");
  let held = "";
  let timer: ReturnType<typeof setTimeout> | undefined;

  const emit = (text: string, callback?: WriteCallback): boolean => original.call(stream, text, "utf8", callback);
  const flushHeld = (): void => {
    clearTimeout(timer);
    timer = undefined;
    const rest = held + decoder.end();
    held = "";
    if (rest !== "") emit(masker.text(rest));
  };

  const patched = function (chunk: unknown, ...rest: unknown[]): boolean {
    const callback = rest.find((r): r is WriteCallback => typeof r === "function");
    const encoding = typeof rest[0] === "string" ? (rest[0] as BufferEncoding) : undefined;
    let incoming: string;
    if (typeof chunk === "string") incoming = encoding && encoding !== "utf8" && encoding !== "utf-8" ? decoder.write(Buffer.from(chunk, encoding)) : chunk;
    else if (chunk instanceof Uint8Array) incoming = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    else return original.call(stream, chunk, ...rest);
    const text = held + incoming;
    // Mask first, then hold back a possible start of a secret from what is left unmasked.
    const masked = masker.text(text);
    const keep = masked.endsWith(MASK) ? 0 : masker.partialSecretAtEnd(masked);
    held = masked.slice(masked.length - keep);
    clearTimeout(timer);
    timer = held === "" ? undefined : setTimeout(flushHeld, HOLD_MS);
    timer?.unref?.();
    return emit(masked.slice(0, masked.length - keep), callback);
  };
  stream.write = patched as NodeJS.WritableStream["write"];
  return () => {
    flushHeld();
    if (stream.write === (patched as NodeJS.WritableStream["write"])) stream.write = original as NodeJS.WritableStream["write"];
  };
}
