import type { Key } from "ink";
import { createContext } from "react";

export type KeyHandler = (input: string, key: Key) => void;

/** A component's current key handler; updated at every commit. */
export interface KeyEntry {
  handler: KeyHandler;
  isActive: boolean;
}

export interface KeyRegistry {
  /** Adds the entry; the returned function removes it. */
  register(entry: { current: KeyEntry }): () => void;
}

/**
 * One Ink input listener at the root routes every key to the registered handlers. Ink's own
 * per-component listeners are (re)attached in passive effects, which can lag a keystroke behind a
 * render: a key typed right after a screen change would reach a stale handler or none.
 */
export const KeysContext = createContext<KeyRegistry | null>(null);
