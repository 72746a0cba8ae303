import { describe, expect, it } from "vitest";
import { parseSmokeSpec } from "../../../smoke/spec.js";

const spec = (delay: string) => parseSmokeSpec(`checks:\n  - name: root\n    http: { path: / }\n    retries: 1\n    retryDelay: ${delay}\n`);

describe("smoke spec durations use the config's one duration grammar", () => {
  it("accepts composite durations such as 1m30s, as bluegreen.yml does", () => {
    expect(JSON.stringify(spec("1m30s"))).toContain("90000");
  });

  it("still requires a unit in a spec", () => {
    expect(() => spec("2")).toThrow(/unit/);
  });
});
