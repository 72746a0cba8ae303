import { Box } from "ink";
import { useTheme } from "../contexts/theme-context.js";
import { padEnd } from "../format.js";
import { Txt } from "./Txt.js";
import { useKeys } from "../hooks/use-keys.js";

const HELP: Array<[string, string]> = [
  ["d", "deploy a version to the standby color (asks before the switch)"],
  ["s", "switch live traffic to the other color"],
  ["r", "roll back to the previous color"],
  ["c", "remove the stopped standby color's containers"],
  ["v", "run deploy/switch/rollback under load, with live figures"],
  ["l", "logs of the selected container"],
  ["x", "resolve a conflict (shown when the stack disagrees)"],
  ["↑↓ ←→ Tab", "move the selection between containers"],
  ["Ctrl-C", "abort the running operation safely; again to quit"],
  ["q", "quit"],
];

export function HelpOverlay({ width, onClose }: { width: number; onClose(): void }) {
  const theme = useTheme();
  useKeys((_input, key) => {
    if (!key.ctrl) onClose();
  });
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color("accent")} paddingX={1} width={width}>
      <Txt bold>Keys</Txt>
      {HELP.map(([k, what]) => (
        <Txt key={k}>
          <Txt tone="accent" bold>
            {padEnd(k, 11)}
          </Txt>
          {what}
        </Txt>
      ))}
      <Txt tone="muted">The proxy decides which color is live; every destructive key asks first. Any key closes.</Txt>
    </Box>
  );
}
