import { useInput, type Key } from "ink";
import { useCallback, useMemo, useRef, type ReactNode } from "react";
import { KeysContext, type KeyEntry, type KeyRegistry } from "../contexts/keys-context.js";

/** The root's single input listener: every key goes to each active handler, in mount order. */
export function KeysProvider({ children }: { children: ReactNode }) {
  const entries = useRef<Array<{ current: KeyEntry }>>([]);
  const registry = useMemo<KeyRegistry>(
    () => ({
      register(entry) {
        entries.current.push(entry);
        return () => {
          entries.current = entries.current.filter((e) => e !== entry);
        };
      },
    }),
    [],
  );
  const dispatch = useCallback((input: string, key: Key) => {
    // A snapshot: handlers mounted because of this key must not receive it too.
    for (const entry of [...entries.current]) {
      if (entry.current.isActive) entry.current.handler(input, key);
    }
  }, []);
  useInput(dispatch);
  return <KeysContext.Provider value={registry}>{children}</KeysContext.Provider>;
}
