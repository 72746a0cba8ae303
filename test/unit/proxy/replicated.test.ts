import { describe, expect, it } from "vitest";
import { ProxyChangeRejected } from "../../../src/proxy/driver.js";
import { agreed, ReplicasDisagree, ReplicatedProxyDriver, type ProxyReplica } from "../../../src/proxy/replicated.js";
import { ReplicaFake } from "../../fakes/replica.js";

function three(): { fakes: ReplicaFake[]; driver: ReplicatedProxyDriver } {
  const fakes = [new ReplicaFake(), new ReplicaFake(), new ReplicaFake()];
  const replicas: ProxyReplica[] = fakes.map((driver, i) => ({ node: `node${i + 1}`, driver }));
  return { fakes, driver: new ReplicatedProxyDriver("haproxy", async () => replicas) };
}

describe("a proxy with several replicas, switched as one", () => {
  it("switches every replica and reads each one back", async () => {
    const { fakes, driver } = three();
    await driver.switchLive("green");
    expect(fakes.map((f) => f.live)).toEqual(["green", "green", "green"]);
    await expect(driver.targets()).resolves.toMatchObject({ live: "green", preview: "green", how: "3 replicas agree (node1, node2, node3)" });
  });

  it("one replica refusing sets every replica back to what it routed before, and says which refused", async () => {
    const { fakes, driver } = three();
    (fakes[1] as ReplicaFake).refuse = "HAProxy refused set server";
    const err = await driver.switchLive("green").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyChangeRejected);
    expect((err as Error).message).toContain("node2 refused: HAProxy refused set server");
    expect((err as Error).message).toContain("every replica was set back");
    expect(fakes.map((f) => f.live)).toEqual(["blue", "blue", "blue"]);
    // The two that switched were switched back; the one that refused was not touched again.
    expect(fakes.map((f) => f.changes)).toEqual([["live→green", "live→blue"], ["live→green"], ["live→green", "live→blue"]]);
  });

  it("a replica that accepts but reads back the old color counts as a failure, and the others are undone", async () => {
    const { fakes, driver } = three();
    (fakes[2] as ReplicaFake).ignore = true;
    await expect(driver.pointPreview("blue")).rejects.toThrow(/node3 reads back preview→green/);
    expect(fakes.map((f) => f.preview)).toEqual(["green", "green", "green"]);
  });

  it("changes nothing on any replica when one does not answer before the change", async () => {
    const { fakes, driver } = three();
    (fakes[0] as ReplicaFake).silent = true;
    await expect(driver.switchLive("green")).rejects.toThrow(/node1 does not answer .*Nothing was changed on any replica/);
    expect(fakes.flatMap((f) => f.changes)).toEqual([]);
  });

  it("replicas that disagree are an error naming who routes where, not a guess", async () => {
    const { fakes, driver } = three();
    (fakes[1] as ReplicaFake).live = "green";
    const err = await driver.liveTarget().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplicasDisagree);
    // The one-read form does not throw: it says who routes where, and the route they disagree on reads null.
    await expect(driver.targets()).resolves.toMatchObject({ live: null, preview: "green", how: "3 replicas DISAGREE (node1, node2, node3)" });
    expect((err as Error).message).toContain("node1 live→blue preview→green; node2 live→green preview→green; node3 live→blue");
    expect((err as ReplicasDisagree).replicas.map((r) => r.live)).toEqual(["blue", "green", "blue"]);
  });

  it("a replica that does not answer: the read says where the others route and who is missing, and operations still refuse to guess", async () => {
    const { fakes, driver } = three();
    (fakes[2] as ReplicaFake).silent = true;
    await expect(driver.targets()).resolves.toMatchObject({ live: "blue", preview: "green", how: "2 of 3 replicas answer and agree (node1, node2); node3 does not" });
    await expect(driver.liveTarget()).rejects.toBeInstanceOf(ReplicasDisagree);
    (fakes[1] as ReplicaFake).live = "green";
    await expect(driver.targets()).resolves.toMatchObject({ live: null, how: "2 of 3 replicas answer and DISAGREE (node1, node2); node3 does not" });
    (fakes[0] as ReplicaFake).silent = true;
    (fakes[1] as ReplicaFake).silent = true;
    await expect(driver.targets()).resolves.toMatchObject({ live: null, preview: null, how: "0 of 3 replicas answer; node1, node2, node3 do not" });
  });

  it("a switch makes replicas that disagreed agree (what resolve does)", async () => {
    const { fakes, driver } = three();
    (fakes[1] as ReplicaFake).live = "green";
    await driver.switchLive("blue");
    expect(fakes.map((f) => f.live)).toEqual(["blue", "blue", "blue"]);
  });

  it("no replica running is an error, and a ping names each replica's answer", async () => {
    await expect(new ReplicatedProxyDriver("haproxy", async () => []).liveTarget()).rejects.toThrow(/no replica of the proxy runs/);
    const { fakes, driver } = three();
    (fakes[2] as ReplicaFake).silent = true;
    await expect(driver.ping()).resolves.toEqual({ ok: false, detail: "node1: answers; node2: answers; node3: connection refused" });
  });

  it("agreed: one color only when every replica answered the same", () => {
    expect(agreed([{ node: "a", live: "blue", preview: null }, { node: "b", live: "blue", preview: null }], "live")).toBe("blue");
    expect(agreed([{ node: "a", live: "blue", preview: null }, { node: "b", live: "green", preview: null }], "live")).toBeUndefined();
    expect(agreed([{ node: "a", live: null, preview: null, error: "x" }], "live")).toBeUndefined();
    expect(agreed([], "live")).toBeUndefined();
  });
});
