import { useContext, useLayoutEffect, useRef } from "react";
import { KeysContext, type KeyEntry, type KeyHandler } from "../contexts/keys-context.js";

/** Receive keys while `isActive`; the handler always sees the latest render's values. */
export function useKeys(handler: KeyHandler, isActive = true): void {
  const registry = useContext(KeysContext);
  if (!registry) throw new Error("useKeys needs a <KeysProvider> above it");
  const entry = useRef<KeyEntry>({ handler, isActive });
  // Layout effects run synchronously at commit, so the next key already sees this render.
  useLayoutEffect(() => {
    entry.current.handler = handler;
    entry.current.isActive = isActive;
  });
  useLayoutEffect(() => registry.register(entry), [registry]);
}
