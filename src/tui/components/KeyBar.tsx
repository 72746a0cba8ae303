import { Box } from "ink";
import { Fragment } from "react";
import { Txt } from "./Txt.js";

export type KeyHint = [key: string, label: string];

export const DASHBOARD_KEYS: KeyHint[] = [
  ["d", "deploy"],
  ["s", "switch"],
  ["r", "rollback"],
  ["c", "cleanup"],
  ["v", "verify"],
  ["l", "logs"],
  ["?", "help"],
  ["q", "quit"],
];

/** The keys that work on the current screen, one line. */
export function KeyBar({ keys, width }: { keys: readonly KeyHint[]; width: number }) {
  return (
    <Box width={width}>
      <Txt>
        {keys.map(([key, label], i) => (
          <Fragment key={key}>
            {i > 0 ? "  " : ""}
            <Txt tone="accent" bold>
              {key}
            </Txt>
            {` ${label}`}
          </Fragment>
        ))}
      </Txt>
    </Box>
  );
}
