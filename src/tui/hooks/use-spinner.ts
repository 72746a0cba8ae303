import { useEffect, useState } from "react";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const FRAME_MS = 120;

/**
 * A spinner frame and the current time, ticking only while `active`: an idle dashboard runs no
 * fast timer at all.
 */
export function useSpinner(active: boolean): { frame: string; now: number } {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((t) => t + 1), FRAME_MS);
    return () => clearInterval(timer);
  }, [active]);
  return { frame: FRAMES[tick % FRAMES.length] ?? "-", now: Date.now() };
}
