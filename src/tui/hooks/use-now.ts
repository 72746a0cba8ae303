import { useEffect, useState } from "react";

/** The current time, refreshed every `intervalMs` (≥ 1 s: uptimes do not need more). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), Math.max(1000, intervalMs));
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
