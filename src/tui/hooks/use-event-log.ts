import { useCallback, useRef, useState } from "react";
import type { Tone } from "../contexts/theme-context.js";
import { appendBounded, type LogEntry } from "../state/event-log.js";

export interface EventLog {
  entries: LogEntry[];
  push(source: LogEntry["source"], text: string, tone?: Tone, time?: number): void;
}

/** The events pane's bounded history (newest last). */
export function useEventLog(): EventLog {
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const nextId = useRef(1);
  const push = useCallback((source: LogEntry["source"], text: string, tone?: Tone, time = Date.now()) => {
    const entry: LogEntry = { id: nextId.current++, time, source, text, ...(tone ? { tone } : {}) };
    setEntries((list) => appendBounded(list, [entry]));
  }, []);
  return { entries, push };
}
