import { Box } from "ink";
import type { ContainerInfo } from "../../docker/types.js";
import { formatUptime, truncate } from "../format.js";
import type { Tone } from "../contexts/theme-context.js";
import { Txt } from "./Txt.js";

function stateTone(c: ContainerInfo): Tone {
  if (c.state === "running") return "ok";
  if (c.state === "restarting" || c.state === "created" || c.state === "paused") return "warn";
  return "error";
}

function healthTone(health: ContainerInfo["health"]): Tone {
  return health === "healthy" ? "ok" : health === "unhealthy" ? "error" : health === "starting" ? "warn" : "muted";
}

/** Lines one container takes: its row, plus the failing health check's output. */
export function containerLineCount(c: ContainerInfo): number {
  return c.health === "unhealthy" && c.lastHealthOutput ? 2 : 1;
}

/** One container: name, state, health, version, uptime, restarts; the last failing check below. */
export function ContainerLine({ container: c, selected, width, now }: { container: ContainerInfo; selected: boolean; width: number; now: number }) {
  const health = c.health === "none" ? "no check" : c.health;
  const up = c.state === "running" ? `up ${formatUptime(c.startedAt, now)}` : c.exitCode !== null ? `exit ${c.exitCode}` : "";
  // The name gets what the facts leave of the line (at least 16 columns): whole when there is room.
  const where = c.node ? ` on ${c.node}` : "";
  const facts = `${where} ${c.state} ${health}${c.version ? ` ${c.version}` : ""} ${up} restarts ${c.restarts}`;
  const nameWidth = Math.max(16, width - 2 - [...facts].length);
  return (
    <Box flexDirection="column" width={width}>
      <Txt inverse={selected}>
        {selected ? "› " : "  "}
        {truncate(c.name, nameWidth)}
        {where ? <Txt tone="muted">{where}</Txt> : null} <Txt tone={stateTone(c)}>{c.state}</Txt> <Txt tone={healthTone(c.health)}>{health}</Txt>
        {c.version ? ` ${c.version}` : ""} <Txt tone="muted">{up}</Txt>
        <Txt tone={c.restarts > 0 ? "warn" : "muted"}>{` restarts ${c.restarts}`}</Txt>
      </Txt>
      {containerLineCount(c) > 1 ? <Txt tone="error">{`    last check: ${truncate(c.lastHealthOutput ?? "", Math.max(10, width - 16))}`}</Txt> : null}
    </Box>
  );
}
