import { Box } from "ink";
import { useCallback, useEffect, useState } from "react";
import { useTheme } from "../contexts/theme-context.js";
import { truncate } from "../format.js";
import type { PlatformLike } from "../types.js";
import { KeyBar } from "./KeyBar.js";
import { Txt } from "./Txt.js";
import { useKeys } from "../hooks/use-keys.js";

/** The last lines of one container's logs; r reloads, Esc goes back. */
export function LogsView({ platform, container, columns, rows, onClose }: { platform: PlatformLike; container: string; columns: number; rows: number; onClose(): void }) {
  const theme = useTheme();
  const lines = Math.max(3, rows - 5);
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    platform.logs(container, lines).then(
      (t) => setText(t),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [platform, container, lines]);
  useEffect(load, [load]);

  useKeys((input, key) => {
    if (key.ctrl) return;
    if (input === "r") load();
    else if (key.escape || input === "l" || input === "q" || key.return) onClose();
  });

  const shown = (text ?? "").replace(/\n$/, "").split("\n").slice(-lines);
  return (
    <Box flexDirection="column" width={columns}>
      <Box flexDirection="column" borderStyle="round" borderColor={theme.color("muted")} paddingX={1} width={columns}>
        <Txt bold>{`Logs: ${container} (last ${lines} lines)`}</Txt>
        {error ? <Txt tone="error" wrap="wrap">{`could not read the logs: ${error}. The container may be gone; press r to retry.`}</Txt> : null}
        {text === null && !error ? <Txt tone="muted">loading…</Txt> : null}
        {text !== null ? shown.map((line, i) => <Txt key={i}>{truncate(line, columns - 4)}</Txt>) : null}
      </Box>
      <KeyBar keys={[["r", "reload"], ["Esc", "back"]]} width={columns} />
    </Box>
  );
}
