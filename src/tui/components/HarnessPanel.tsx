import { Box } from "ink";
import { useTheme } from "../contexts/theme-context.js";
import { formatMs } from "../format.js";
import type { HarnessProgress, HarnessVerdict } from "../types.js";
import { Sparkline } from "./Sparkline.js";
import { Txt } from "./Txt.js";

function ms(v: number | null): string {
  return v === null ? "-" : `${v < 10 ? v.toFixed(1) : Math.round(v)}ms`;
}

/** Live figures from the load harness: throughput, latency sparkline, errors by class, WS, serving color. */
export function HarnessPanel({ samples, verdict, width }: { samples: readonly HarnessProgress[]; verdict: HarnessVerdict | null; width: number }) {
  const theme = useTheme();
  const last = samples[samples.length - 1];
  const p99s = samples.map((s) => s.p99 ?? 0);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color("accent")} paddingX={1} width={width}>
      <Txt bold>
        {"Load harness "}
        {last ? <Txt tone="muted">{`${last.phase} ${formatMs(last.elapsedMs)}`}</Txt> : <Txt tone="muted">starting…</Txt>}
        {verdict ? <Txt tone={verdict.verdict === "PASS" ? "ok" : "error"}>{` ${verdict.verdict}`}</Txt> : null}
      </Txt>
      {last ? (
        <>
          <Txt>
            {`${Math.round(last.reqPerSec)} req/s  p50 ${ms(last.p50)}  p99 ${ms(last.p99)} `}
            <Sparkline values={p99s} width={Math.max(5, width - 40)} tone="accent" />
          </Txt>
          <Txt>
            {"errors: hard "}
            <Txt tone={last.errors.hard > 0 ? "error" : "ok"}>{String(last.errors.hard)}</Txt>
            {" · keep-alive closes "}
            <Txt tone={last.errors.keepAliveCloses > 0 ? "warn" : "ok"}>{String(last.errors.keepAliveCloses)}</Txt>
          </Txt>
          <Txt>
            {`WS sessions alive ${last.wsAlive} · serving `}
            <Txt tone={last.color === "blue" ? "blue" : last.color === "green" ? "green" : "warn"} bold>
              {last.color ?? "?"}
            </Txt>
          </Txt>
        </>
      ) : null}
      {verdict?.criteria
        ?.filter((c) => !c.ok)
        .slice(0, 3)
        .map((c) => (
          <Txt key={c.name} tone="error">{`✖ ${c.name}: ${c.detail}`}</Txt>
        ))}
    </Box>
  );
}
