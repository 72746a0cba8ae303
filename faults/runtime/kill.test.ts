import { describe, expect, it } from "vitest";
import { expectedConflicts, type Observed } from "./kill.js";

const seen = (o: Partial<Observed>): Observed => ({ running: { blue: true, green: false }, state: { active: "blue", warm: false }, live: "blue", ...o });

describe("kill scenarios: the conflicts expected from what the scenario saw itself", () => {
  it("a kill before anything moved leaves only the stale lock", () => {
    expect(expectedConflicts(seen({}))).toEqual(["stale-lock"]);
  });

  it("both colors running without a warm standby is both-running; a recorded warm standby is not", () => {
    expect(expectedConflicts(seen({ running: { blue: true, green: true } }))).toEqual(["stale-lock", "both-running"]);
    expect(expectedConflicts(seen({ running: { blue: true, green: true }, state: { active: "blue", warm: true } }))).toEqual(["stale-lock"]);
  });

  it("a live route that serves another color than the state file records is state-drift (and a warm standby then is no excuse)", () => {
    expect(expectedConflicts(seen({ running: { blue: true, green: true }, state: { active: "blue", warm: true }, live: "green" }))).toEqual(["stale-lock", "state-drift", "both-running"]);
  });

  it("no state file, or a live route that did not answer, expects no drift", () => {
    expect(expectedConflicts(seen({ state: null, live: "green" }))).toEqual(["stale-lock"]);
    expect(expectedConflicts(seen({ live: null }))).toEqual(["stale-lock"]);
  });
});
