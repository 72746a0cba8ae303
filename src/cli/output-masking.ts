/**
 * The CLI's last line of defence: everything written to stdout and stderr is masked with the
 * secrets of the process environment and, once a stack's config is loaded, of the config's env.
 */
import { createMasker, maskStreamWrites, type Masker } from "../security/index.js";

const active = new Set<Masker>();

/** Masks `streams` until the returned function is called. */
export function maskCliOutput(streams: NodeJS.WritableStream[], env: NodeJS.ProcessEnv = process.env): () => void {
  const masker = createMasker(env);
  active.add(masker);
  const restore = streams.map((s) => maskStreamWrites(s, masker));
  return () => {
    for (const undo of restore) undo();
    active.delete(masker);
  };
}

/** Adds the secret values of `env` (the config's env) to every masker the CLI runs. */
export function learnSecrets(env: Readonly<Record<string, string | undefined>>): void {
  for (const masker of active) masker.add(env);
}
