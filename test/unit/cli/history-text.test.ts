import { describe, expect, it } from "vitest";
import { renderHistoryEntryText } from "../../../src/cli/render/history-text.js";
import type { HistoryEntry } from "../../../src/engine/ports.js";

const base: HistoryEntry = {
  time: "2026-12-02T06:00:00.000Z",
  user: "alice",
  host: "build-01",
  command: "deploy --version v2",
  operation: "deploy",
  from: { color: "blue", version: "v1" },
  to: { color: "green", version: "v2" },
  phases: {},
  smoke: null,
  verify: null,
  outcome: "success",
  error: null,
};

describe("history as plain text", () => {
  it("lists a deploy's migrations and hooks in the order their phases ran, with each outcome", () => {
    const lines = renderHistoryEntryText({
      ...base,
      phases: { preflight: 10, "hook:pre-deploy": 100, build: 4000, migrate: 1200, start: 900, "hook:pre-switch": 50, switch: 30, stop: 500, contract: 800, "hook:on-failure": 20 },
      failedPhases: ["contract"],
      outcome: "failed",
      error: "green (v2) went live, then the contract step failed: the contract migration exited with 1\n  | ERROR: boom",
      hooks: [
        { point: "pre-deploy", ok: true, exitCode: 0, timedOut: false, ms: 100 },
        { point: "pre-switch", ok: true, exitCode: 0, timedOut: false, ms: 50 },
        { point: "on-failure", ok: true, exitCode: 0, timedOut: false, ms: 20 },
      ],
      migrations: [
        { step: "expand", color: "green", version: "v2", command: ["node", "/app/migrate.js"], ok: true, exitCode: 0, timedOut: false, ms: 1200 },
        {
          step: "contract",
          color: "green",
          version: "v2",
          command: ["node", "/app/migrate.js", "--contract"],
          ok: false,
          exitCode: 1,
          timedOut: false,
          ms: 800,
          output: ["migrate: applying 102", "migrate: FAILED, rolled back (nothing changed): boom"],
        },
      ],
    });
    expect(lines[0]).toMatch(/^2026-12-02T06:00:00.000Z {2}failed {6}deploy --version v2 .* blue\(v1\) → green\(v2\) .* alice@build-01 {2}failed: contract$/);
    expect(lines.slice(1)).toEqual([
      "    hook      pre-deploy  ok 0.1 s",
      "    migrate   green v2  node /app/migrate.js  ok 1.2 s",
      "    hook      pre-switch  ok 0.1 s",
      "    contract  green v2  node /app/migrate.js --contract  FAILED: exit 1 after 0.8 s",
      "        | migrate: applying 102",
      "        | migrate: FAILED, rolled back (nothing changed): boom",
      "    hook      on-failure  ok 0.0 s",
      "    green (v2) went live, then the contract step failed: the contract migration exited with 1",
    ]);
  });

  it("shows a `bluegreen migrate` run on its own, and a hook that timed out", () => {
    const lines = renderHistoryEntryText({
      ...base,
      command: "migrate --contract",
      operation: "migrate",
      from: { color: "green", version: "v2" },
      phases: { preflight: 5, confirm: 0, contract: 700 },
      migrations: [{ step: "contract", color: "green", version: "v2", command: ["node", "/app/migrate.js", "--contract"], ok: true, exitCode: 0, timedOut: false, ms: 700 }],
    });
    expect(lines[0]).toContain("migrate --contract");
    expect(lines.slice(1)).toEqual(["    contract  green v2  node /app/migrate.js --contract  ok 0.7 s"]);

    const timedOut = renderHistoryEntryText({
      ...base,
      outcome: "failed",
      phases: { "hook:pre-deploy": 2000 },
      hooks: [{ point: "pre-deploy", ok: false, exitCode: null, timedOut: true, ms: 2000, output: ["waiting for the change board"] }],
    });
    expect(timedOut.slice(1)).toEqual(["    hook      pre-deploy  FAILED: timed out after 2.0 s", "        | waiting for the change board"]);
  });

  it("still shows the runs of an entry whose phases do not name them (written by an older version)", () => {
    const lines = renderHistoryEntryText({
      ...base,
      phases: { up: 100 },
      migrations: [{ step: "expand", color: "green", version: "v2", command: ["migrate"], ok: false, exitCode: 2, timedOut: false, ms: 300 }],
    });
    expect(lines.slice(1)).toEqual(["    migrate   green v2  migrate  FAILED: exit 2 after 0.3 s"]);
  });
});
