import { describe, expect, it } from "vitest";
import { eventFilters, isWantedEvent, parseDockerEvent, sinceParam } from "../../../src/docker/docker-event.js";

const raw = {
  status: "health_status: healthy",
  id: "abc123",
  Type: "container",
  Action: "health_status: healthy",
  Actor: {
    ID: "abc123",
    Attributes: {
      name: "shop-green_app-green_1",
      "com.docker.compose.project": "shop-green",
      "com.docker.compose.service": "app-green",
      "bluegreen.color": "green",
    },
  },
  scope: "local",
  time: 1700000000,
};
// Docker sends timeNano as a JSON number beyond 2^53; parse it from text as the stream does.
const rawJson = JSON.stringify(raw).replace(/}$/, ',"timeNano":1700000000123456789}');

describe("parseDockerEvent", () => {
  it("maps a container event to a DockerEvent", () => {
    const parsed = parseDockerEvent(JSON.parse(rawJson));
    expect(parsed?.event).toEqual({
      time: parsed ? Number(parsed.timeNano / 1_000_000n) : 0,
      action: "health_status: healthy",
      containerId: "abc123",
      name: "shop-green_app-green_1",
      project: "shop-green",
      service: "app-green",
      color: "green",
    });
    expect(parsed?.event.time).toBeGreaterThanOrEqual(1700000000123);
    expect(parsed?.event.time).toBeLessThanOrEqual(1700000000124);
  });

  it("ignores non-container events and malformed objects", () => {
    expect(parseDockerEvent({ ...raw, Type: "network" })).toBeNull();
    expect(parseDockerEvent({ Type: "container" })).toBeNull();
    expect(parseDockerEvent("start")).toBeNull();
    expect(parseDockerEvent(null)).toBeNull();
  });

  it("reads legacy events and events without labels", () => {
    const parsed = parseDockerEvent({ status: "die", id: "0123456789abcdef", time: 1700000001 });
    expect(parsed?.event).toMatchObject({ action: "die", containerId: "0123456789abcdef", name: "0123456789ab", project: null, color: null });
    expect(parsed?.timeNano).toBe(1700000001000000000n);
  });

  it("rejects a color label that is not blue or green", () => {
    const parsed = parseDockerEvent({ ...raw, Actor: { ID: "x", Attributes: { "bluegreen.color": "red" } } });
    expect(parsed?.event.color).toBeNull();
  });
});

describe("isWantedEvent", () => {
  const event = parseDockerEvent(raw)?.event;
  it("keeps events of the subscribed projects and drops health-check execs", () => {
    if (!event) throw new Error("fixture did not parse");
    expect(isWantedEvent(event, new Set(["shop-green"]))).toBe(true);
    expect(isWantedEvent(event, new Set(["shop-blue"]))).toBe(false);
    expect(isWantedEvent({ ...event, action: "exec_start: /bin/sh -c true" }, new Set(["shop-green"]))).toBe(false);
    expect(isWantedEvent(event, new Set())).toBe(true);
    expect(isWantedEvent({ ...event, project: null }, new Set())).toBe(false);
  });
});

describe("eventFilters", () => {
  it("filters one project exactly and several by the label's presence", () => {
    expect(eventFilters(["a"])).toMatchObject({ type: ["container"], label: ["com.docker.compose.project=a"] });
    expect(eventFilters(["a", "b"])).toMatchObject({ type: ["container"], label: ["com.docker.compose.project"] });
    // Health checks' exec events are not asked for; health_status matches "health_status: healthy" by prefix.
    expect(eventFilters(["a"]).event).toContain("health_status");
    expect(eventFilters(["a"]).event.some((e) => e.startsWith("exec"))).toBe(false);
  });
});

describe("sinceParam", () => {
  it("resumes a millisecond before the last event, in seconds", () => {
    expect(sinceParam(1700000000123456789n)).toBeCloseTo(1700000000.122456, 5);
  });
});
