import { Box } from "ink";
import type { ConfirmRequest } from "../../engine/events.js";
import { useTheme } from "../contexts/theme-context.js";
import { truncate } from "../format.js";
import { Txt } from "./Txt.js";
import { useKeys } from "../hooks/use-keys.js";

/** The engine's question, its facts and the consequence of yes; y answers yes, n or Esc no. */
export function ConfirmDialog({ request, width, onAnswer }: { request: ConfirmRequest; width: number; onAnswer(yes: boolean): void }) {
  const theme = useTheme();
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (input === "y" || input === "Y") onAnswer(true);
    else if (input === "n" || input === "N" || key.escape) onAnswer(false);
  });
  const inner = width - 4;
  // Two columns of gap after the longest label: "now live  blue (v1)", not "now live blue (v1)".
  const labelWidth = Math.min(18, Math.max(...request.facts.map(([label]) => label.length), 4) + 2);
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.color("warn")} paddingX={1} width={width}>
      <Txt bold tone="warn" wrap="wrap">
        {request.question}
      </Txt>
      {request.facts.map(([label, value]) => (
        <Box key={label} width={inner}>
          <Box width={labelWidth} flexShrink={0}>
            <Txt tone="muted">{truncate(label, labelWidth - 1)}</Txt>
          </Box>
          <Box width={inner - labelWidth}>
            <Txt wrap="wrap">{value}</Txt>
          </Box>
        </Box>
      ))}
      {/* The consequence is what the operator agrees to: it wraps, never gets cut. */}
      <Txt wrap="wrap">{`If yes: ${request.consequence}`}</Txt>
      <Txt bold>
        <Txt tone="accent">y</Txt> yes <Txt tone="accent">n</Txt> no
      </Txt>
    </Box>
  );
}
