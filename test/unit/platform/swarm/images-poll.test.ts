import { describe, expect, it } from "vitest";
import { nodesLacking } from "../../../../src/platform/swarm/images.js";
import { FatalCheck, pollUntil } from "../../../../src/platform/swarm/poll.js";

describe("which nodes need the image", () => {
  it("ready nodes on their own engine whose image ID differs or is missing", () => {
    const nodes = [
      { hostname: "n1", state: "ready", endpoint: "unix:///m.sock" },
      { hostname: "n2", state: "ready", endpoint: "unix:///n2.sock" },
      { hostname: "n3", state: "ready", endpoint: "unix:///n3.sock" },
      { hostname: "n4", state: "down", endpoint: "unix:///n4.sock" },
    ];
    const ids = new Map<string, string | null>([["n1", "sha256:a"], ["n2", "sha256:a"], ["n3", "sha256:old"], ["n4", null]]);
    expect(nodesLacking(nodes, "unix:///m.sock", ids, "sha256:a")).toEqual(["n3"]);
    expect(nodesLacking(nodes, "unix:///m.sock", new Map(), "sha256:a")).toEqual(["n2", "n3"]);
  });
});

describe("waiting on swarm", () => {
  const opts = { intervalMs: 5, timeoutMs: 200, what: "waiting", state: "S.", timedOut: (p: string) => new Error(`late: ${p}`) };

  it("re-reads until done, and returns the value", async () => {
    let n = 0;
    expect(await pollUntil(async () => (++n >= 3 ? { done: true, value: n } : { done: false, pending: `try ${n}` }), opts)).toBe(3);
  });

  it("times out with the last pending text; a throwing read is retried and becomes that text", async () => {
    await expect(pollUntil(async () => ({ done: false, pending: "2 tasks pending" }), opts)).rejects.toThrow("late: 2 tasks pending");
    await expect(pollUntil(async () => Promise.reject(new Error("manager electing")), opts)).rejects.toThrow("late: manager electing");
  });

  it("ends at once on a fatal check, and with an AbortError on abort", async () => {
    await expect(pollUntil(async () => Promise.reject(new FatalCheck(new Error("task rejected"))), opts)).rejects.toThrow(/^task rejected$/);
    const c = new AbortController();
    setTimeout(() => c.abort(), 20);
    await expect(pollUntil(async () => ({ done: false, pending: "x" }), { ...opts, timeoutMs: 5_000, signal: c.signal })).rejects.toMatchObject({ name: "AbortError" });
  });
});
