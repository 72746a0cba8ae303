import { Box } from "ink";
import type { StackStatus } from "../../engine/status-model.js";
import { useTheme } from "../contexts/theme-context.js";
import { ContainerLine, containerLineCount } from "./ContainerLine.js";
import { truncate } from "../format.js";
import { Txt } from "./Txt.js";

export function sharedPanelHeight(status: StackStatus): number {
  const lines = status.shared.reduce((n, c) => n + containerLineCount(c), 0);
  return 2 + 2 + (status.proxy.replicas?.length ?? 0) + status.degraded.length + Math.max(1, lines);
}

/** The services both colors share: the proxy (driver, live target, reachable) and the datastores. */
export function SharedPanel({ status, width, selected, now }: { status: StackStatus; width: number; selected: string | null; now: number }) {
  const theme = useTheme();
  const { proxy } = status;
  const inner = Math.max(10, width - 4);
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={theme.color("muted")} paddingX={1}>
      <Txt bold>Shared services</Txt>
      <Txt>
        {`proxy ${proxy.driver} → `}
        <Txt tone={proxy.target === "blue" ? "blue" : proxy.target === "green" ? "green" : "warn"} bold>
          {proxy.target ?? "nothing"}
        </Txt>
        {proxy.preview ? ` (preview ${proxy.preview})` : ""}
        {" · "}
        {proxy.reachable ? <Txt tone="ok">reachable</Txt> : <Txt tone="error">{`unreachable: ${proxy.detail}`}</Txt>}
      </Txt>
      {(proxy.replicas ?? []).map((r) => {
        const odd = r.error !== undefined || r.live !== proxy.target || r.preview !== proxy.preview;
        const text = r.error !== undefined ? `does not answer: ${r.error}` : `live → ${r.live ?? "nothing"}, preview → ${r.preview ?? "nothing"}`;
        return (
          <Txt key={r.node} tone={odd ? "warn" : "muted"}>
            {truncate(`  replica on ${r.node}: ${text}`, inner)}
          </Txt>
        );
      })}
      {status.degraded.map((d) => (
        <Txt key={d} tone="warn">
          {truncate(`  ! ${d}`, inner)}
        </Txt>
      ))}
      {status.shared.length === 0 ? <Txt tone="muted">  no shared containers</Txt> : null}
      {status.shared.map((c) => (
        <ContainerLine key={c.id} container={c} selected={selected === c.name} width={inner} now={now} />
      ))}
    </Box>
  );
}
