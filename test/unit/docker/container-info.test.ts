import { describe, expect, it } from "vitest";
import { toContainerInfo, type InspectData } from "../../../src/docker/container-info.js";

function inspectData(over: { State?: Partial<InspectData["State"]>; Config?: Partial<InspectData["Config"]>; RestartCount?: number } = {}): InspectData {
  return {
    Id: "f00d",
    Name: "/shop-green_app-green_1",
    RestartCount: over.RestartCount ?? 0,
    State: {
      Status: "running",
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 42,
      ExitCode: 0,
      Error: "",
      StartedAt: "2026-11-23T07:00:00.123Z",
      FinishedAt: "0001-01-01T00:00:00Z",
      ...over.State,
    },
    Config: {
      Image: "bluegreen/app:v2",
      Labels: {
        "com.docker.compose.project": "shop-green",
        "com.docker.compose.service": "app-green",
        "bluegreen.color": "green",
        "bluegreen.version": "v2",
      },
      Env: ["PATH=/bin", "APP_VERSION=v9"],
      ...over.Config,
    },
  };
}

describe("toContainerInfo", () => {
  it("reads name, labels, image and state", () => {
    expect(toContainerInfo(inspectData())).toEqual({
      id: "f00d",
      name: "shop-green_app-green_1",
      project: "shop-green",
      service: "app-green",
      color: "green",
      version: "v2",
      image: "bluegreen/app:v2",
      state: "running",
      health: "none",
      lastHealthOutput: null,
      startedAt: "2026-11-23T07:00:00.123Z",
      restarts: 0,
      exitCode: null,
    });
  });

  it("falls back to APP_VERSION from the environment and leaves shared services without a color", () => {
    const info = toContainerInfo(inspectData({ Config: { Labels: { "com.docker.compose.project": "shop" } } }));
    expect(info.version).toBe("v9");
    expect(info.color).toBeNull();
    expect(toContainerInfo(inspectData({ Config: { Labels: null, Env: null } })).version).toBeNull();
  });

  it("reports health and the output of the last check when it failed", () => {
    const failing = toContainerInfo(
      inspectData({
        State: {
          Health: {
            Status: "unhealthy",
            FailingStreak: 3,
            Log: [
              { Start: "", End: "", ExitCode: 0, Output: "ok" },
              { Start: "", End: "", ExitCode: 1, Output: "  redis: disconnected\n" },
            ],
          },
        },
      }),
    );
    expect(failing.health).toBe("unhealthy");
    expect(failing.lastHealthOutput).toBe("redis: disconnected");
    const passing = toContainerInfo(
      inspectData({ State: { Health: { Status: "healthy", FailingStreak: 0, Log: [{ Start: "", End: "", ExitCode: 0, Output: "ok" }] } } }),
    );
    expect(passing.health).toBe("healthy");
    expect(passing.lastHealthOutput).toBeNull();
  });

  it("gives the exit code, restarts and a null start time for containers that never ran", () => {
    const info = toContainerInfo(
      inspectData({ RestartCount: 3, State: { Status: "exited", Running: false, ExitCode: 137, StartedAt: "0001-01-01T00:00:00Z" } }),
    );
    expect(info).toMatchObject({ state: "exited", exitCode: 137, restarts: 3, startedAt: null });
  });
});
