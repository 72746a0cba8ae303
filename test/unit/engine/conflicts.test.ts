import { describe, expect, it } from "vitest";
import type { Color } from "../../../src/domain/color.js";
import type { ContainerInfo } from "../../../src/docker/types.js";
import { detectConflicts, recommendKeep, type ConflictFacts } from "../../../src/engine/conflicts.js";
import type { ConflictKind, LockInfo, RecordedState } from "../../../src/engine/status-model.js";
import { summarizeSlot } from "../../../src/engine/status.js";

type SlotKind = "healthy" | "unhealthy" | "stopped" | "absent";

function container(color: Color, kind: Exclude<SlotKind, "absent">): ContainerInfo {
  return {
    id: `${color}-1`,
    name: `shop-${color}_app-${color}_1`,
    project: `shop-${color}`,
    service: `app-${color}`,
    color,
    version: color === "blue" ? "v1" : "v2",
    image: "shop/app",
    state: kind === "stopped" ? "exited" : "running",
    health: kind === "healthy" ? "healthy" : "unhealthy",
    lastHealthOutput: null,
    startedAt: "2025-01-01T10:00:00.000Z",
    restarts: 0,
    exitCode: kind === "stopped" ? 0 : null,
  };
}

function facts(f: {
  blue: SlotKind;
  green: SlotKind;
  target?: Color | null;
  proxy?: "reachable" | "unreachable" | "down";
  state?: Partial<RecordedState> | null;
  stateError?: string;
  lock?: "other-running" | "stale" | null;
}): ConflictFacts {
  const slot = (color: Color, kind: SlotKind) => summarizeSlot(color, kind === "absent" ? [] : [container(color, kind)], ["app"]);
  const proxy = f.proxy ?? "reachable";
  const lock: LockInfo | null = f.lock
    ? { pid: 4242, host: "ci-runner-7", user: "deployer", command: "deploy --version v9", startedAt: "2025-01-01T11:00:00.000Z", stale: f.lock === "stale" }
    : null;
  return {
    slots: { blue: slot("blue", f.blue), green: slot("green", f.green) },
    proxy: {
      running: proxy !== "down",
      reachable: proxy === "reachable",
      target: proxy === "reachable" ? (f.target ?? null) : null,
      detail: proxy === "unreachable" ? "admin socket timed out" : "ok",
    },
    state:
      f.state === null || f.state === undefined
        ? null
        : { active: null, previous: null, versions: {}, warm: false, updatedAt: "2025-01-01T10:00:00.000Z", updatedBy: "bob@build-02", ...f.state },
    stateError: f.stateError ?? null,
    lock,
  };
}

const kinds = (f: ConflictFacts): ConflictKind[] => detectConflicts(f).map((c) => c.kind);

describe("detectConflicts", () => {
  it.each<[string, Parameters<typeof facts>[0], ConflictKind[]]>([
    ["a settled stack has no conflict", { blue: "healthy", green: "stopped", target: "blue", state: { active: "blue" } }, []],
    ["a fresh stack with nothing deployed has no conflict", { blue: "absent", green: "absent", proxy: "down" }, []],
    ["both colors running without a warm standby is both-running", { blue: "healthy", green: "healthy", target: "blue", state: { active: "blue", warm: false } }, ["both-running"]],
    ["both running with no state at all is both-running", { blue: "healthy", green: "healthy", target: "blue" }, ["both-running"]],
    ["the recorded warm standby is not both-running", { blue: "healthy", green: "healthy", target: "blue", state: { active: "blue", previous: "green", warm: true } }, []],
    [
      "a warm flag for the color the proxy does not route to is still both-running (and drift)",
      { blue: "healthy", green: "healthy", target: "blue", state: { active: "green", warm: true } },
      ["both-running", "state-drift"],
    ],
    ["both running while another deploy holds the lock is not a conflict", { blue: "healthy", green: "healthy", target: "blue", state: { active: "blue" }, lock: "other-running" }, []],
    ["state and proxy disagreeing is state-drift", { blue: "healthy", green: "stopped", target: "blue", state: { active: "green" } }, ["state-drift"]],
    ["drift is not reported while another deploy runs", { blue: "healthy", green: "healthy", target: "green", state: { active: "blue" }, lock: "other-running" }, []],
    ["the proxy routing to a stopped color is proxy-target-unhealthy", { blue: "stopped", green: "healthy", target: "blue", state: { active: "blue" } }, ["proxy-target-unhealthy"]],
    ["the proxy routing to an unhealthy color is proxy-target-unhealthy", { blue: "unhealthy", green: "absent", target: "blue", state: { active: "blue" } }, ["proxy-target-unhealthy"]],
    ["a lock whose process is gone is stale-lock", { blue: "healthy", green: "stopped", target: "blue", state: { active: "blue" }, lock: "stale" }, ["stale-lock"]],
    ["a proxy that runs but does not answer is proxy-unreachable", { blue: "healthy", green: "stopped", proxy: "unreachable", state: { active: "blue" } }, ["proxy-unreachable"]],
    ["a state file that cannot be read is state-corrupt", { blue: "healthy", green: "stopped", target: "blue", stateError: "state.json: Unexpected end of JSON input" }, ["state-corrupt"]],
    ["a stopped proxy with a recorded state is no drift (the proxy cannot be asked), but proxy-down while blue runs", { blue: "healthy", green: "stopped", proxy: "down", state: { active: "blue" } }, ["proxy-down"]],
  ])("%s", (_name, input, expected) => {
    expect(kinds(facts(input))).toEqual(expected);
  });

  it("says in the message what each color is doing", () => {
    const [conflict] = detectConflicts(facts({ blue: "healthy", green: "unhealthy", target: "blue", state: { active: "blue" } }));
    expect(conflict?.kind).toBe("both-running");
    expect(conflict?.message).toContain("blue: healthy, version v1");
    expect(conflict?.message).toContain("green: running, not healthy, version v2");
  });

  it("names the holder of a stale lock and its command", () => {
    const [conflict] = detectConflicts(facts({ blue: "healthy", green: "absent", target: "blue", state: { active: "blue" }, lock: "stale" }));
    expect(conflict?.message).toContain("deployer@ci-runner-7 (pid 4242)");
    expect(conflict?.message).toContain("deploy --version v9");
  });

  it("recommends nothing for an unreachable proxy: the live color is unknown", () => {
    const [conflict] = detectConflicts(facts({ blue: "healthy", green: "stopped", proxy: "unreachable" }));
    expect(conflict?.recommend).toBeNull();
  });
});

describe("recommendKeep", () => {
  it.each<[string, Parameters<typeof facts>[0], Color | null, RegExp]>([
    ["keeps the proxy's target when it is healthy", { blue: "healthy", green: "healthy", target: "green", state: { active: "blue" } }, "green", /proxy routes live traffic to green/],
    ["keeps the only healthy color when the proxy's target is not healthy", { blue: "stopped", green: "healthy", target: "blue" }, "green", /only healthy color/],
    ["keeps the only healthy color when the proxy routes nowhere", { blue: "healthy", green: "absent", target: null }, "blue", /only healthy color/],
    ["falls back to the recorded active color when both are healthy and the proxy routes nowhere", { blue: "healthy", green: "healthy", target: null, state: { active: "green" } }, "green", /state file records green/],
    ["recommends nothing when no color is healthy", { blue: "unhealthy", green: "stopped", target: "blue" }, null, /no color is healthy/],
  ])("%s", (_name, input, color, why) => {
    const rec = recommendKeep(facts(input));
    expect(rec.color).toBe(color);
    expect(rec.why).toMatch(why);
  });
});

describe("recommendKeep's reasons", () => {
  it("recommends nothing, and does not claim no color is healthy when both are healthy but nothing says which is live", () => {
    const rec = recommendKeep(facts({ blue: "healthy", green: "healthy", target: null }));
    expect(rec.color).toBeNull();
    expect(rec.why).not.toMatch(/no color is healthy/);
    expect(rec.why).toMatch(/--keep/);
  });
});

describe("replicasDisagree", () => {
  it("is null when every replica routes both routes alike, and names who routes where otherwise", async () => {
    const { replicasDisagree } = await import("../../../src/engine/conflicts.js");
    expect(replicasDisagree([])).toBeNull();
    expect(replicasDisagree([{ node: "n1", live: "blue", preview: "green" }])).toBeNull();
    expect(replicasDisagree([{ node: "n1", live: "blue", preview: "green" }, { node: "n2", live: "blue", preview: "green" }])).toBeNull();
    expect(replicasDisagree([{ node: "n1", live: "blue", preview: "green" }, { node: "n2", live: "blue", preview: "blue" }])).toBe("n1 live→blue preview→green; n2 live→blue preview→blue");
    expect(replicasDisagree([{ node: "n1", live: "blue", preview: "green" }, { node: "n2", live: null, preview: null, error: "refused" }])).toBe("n1 live→blue preview→green; n2 does not answer (refused)");
  });
});

describe("a proxy replica that does not answer", () => {
  it("is an unreachable proxy naming the replica, not a disagreement", () => {
    const f = facts({ blue: "healthy", green: "healthy", target: "blue", state: { active: "blue", warm: true } });
    const found = detectConflicts({ ...f, proxy: { ...f.proxy, target: null, replicas: [{ node: "n1", live: "blue", preview: "green" }, { node: "n3", live: null, preview: null, error: "container is paused" }] } });
    expect(found.map((c) => c.kind)).toEqual(["proxy-unreachable"]);
    expect(found[0]?.message).toContain("1 of 2 proxy replicas do not answer: n3 does not answer (container is paused)");
    expect(found[0]?.why).toContain("replica on n3");
  });
});
