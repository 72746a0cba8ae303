import { createInterface } from "node:readline/promises";
import type { Confirmer } from "../engine/context.js";

export class ConfirmationRefused extends Error {}

/**
 * --yes answers yes; a TTY asks; anything else refuses, because a pipeline that did not say --yes
 * must never change live traffic by accident.
 */
export function createConfirmer(opts: { yes: boolean; stdin: NodeJS.ReadableStream & { isTTY?: boolean }; stdout: NodeJS.WritableStream; json: boolean }): Confirmer {
  return async (request) => {
    if (opts.yes) return true;
    if (!opts.stdin.isTTY || opts.json) {
      throw new ConfirmationRefused(`"${request.question}" needs a confirmation, and there is no terminal to ask (pass --yes to confirm in pipelines)`);
    }
    const rl = createInterface({ input: opts.stdin, output: opts.stdout });
    try {
      const answer = await rl.question(`${request.question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  };
}
