import { Box } from "ink";
import { useTheme } from "../contexts/theme-context.js";
import { KeyBar } from "./KeyBar.js";
import { Txt } from "./Txt.js";
import { useKeys } from "../hooks/use-keys.js";

export type VerifiedOperation = "deploy" | "switch" | "rollback";

/** `v`: pick the operation to run inside the load harness. */
export function VerifyMenu({ width, onPick, onCancel }: { width: number; onPick(op: VerifiedOperation): void; onCancel(): void }) {
  const theme = useTheme();
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (input === "d") onPick("deploy");
    else if (input === "s") onPick("switch");
    else if (input === "r") onPick("rollback");
    else if (key.escape) onCancel();
  });
  return (
    <Box flexDirection="column" width={width}>
      <Box flexDirection="column" borderStyle="round" borderColor={theme.color("accent")} paddingX={1} width={width}>
        <Txt bold>Verify under load</Txt>
        <Txt wrap="wrap">The harness sends requests and holds WebSocket sessions through the live route before, during and after the operation, and counts every lost request.</Txt>
        <Txt>Which operation?</Txt>
      </Box>
      <KeyBar keys={[["d", "deploy"], ["s", "switch"], ["r", "rollback"], ["Esc", "cancel"]]} width={width} />
    </Box>
  );
}
