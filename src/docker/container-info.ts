import type Dockerode from "dockerode";
import { isColor } from "../domain/color.js";
import { COLOR_LABEL, PROJECT_LABEL, SERVICE_LABEL, VERSION_LABEL } from "./docker-event.js";
import type { ContainerInfo, ContainerState, HealthState } from "./types.js";

const CONTAINER_STATES: readonly ContainerState[] = ["created", "running", "paused", "restarting", "removing", "exited", "dead"];
const HEALTH_STATES: readonly HealthState[] = ["healthy", "unhealthy", "starting", "none"];
/** Docker's zero time, meaning "never". */
const NEVER = "0001-01-01T00:00:00Z";

/** The part of `docker inspect` that ContainerInfo is made from. */
export type InspectData = Pick<Dockerode.ContainerInspectInfo, "Id" | "Name" | "State" | "RestartCount"> & {
  Config: { Image: string; Labels?: Record<string, string> | null; Env?: string[] | null; Tty?: boolean };
};

export function toContainerInfo(data: InspectData): ContainerInfo {
  const labels = data.Config.Labels ?? {};
  const color = labels[COLOR_LABEL];
  const state = CONTAINER_STATES.find((s) => s === data.State.Status) ?? (data.State.Running ? "running" : "exited");
  const health = data.State.Health ? (HEALTH_STATES.find((h) => h === data.State.Health?.Status) ?? "none") : "none";
  const lastCheck = data.State.Health?.Log?.at(-1);
  const startedAt = data.State.StartedAt && !data.State.StartedAt.startsWith(NEVER.slice(0, 10)) ? data.State.StartedAt : null;
  return {
    id: data.Id,
    name: data.Name.replace(/^\//, ""),
    project: labels[PROJECT_LABEL] ?? "",
    service: labels[SERVICE_LABEL] ?? "",
    color: isColor(color) ? color : null,
    version: labels[VERSION_LABEL] || envValue(data.Config.Env, "APP_VERSION"),
    image: data.Config.Image,
    state,
    health,
    lastHealthOutput: lastCheck && lastCheck.ExitCode !== 0 ? lastCheck.Output.trim() || `exit code ${lastCheck.ExitCode}` : null,
    startedAt,
    restarts: data.RestartCount ?? 0,
    exitCode: state === "exited" || state === "dead" ? data.State.ExitCode : null,
  };
}

function envValue(env: string[] | null | undefined, name: string): string | null {
  const prefix = `${name}=`;
  const entry = env?.find((e) => e.startsWith(prefix));
  const value = entry?.slice(prefix.length);
  return value ? value : null;
}
