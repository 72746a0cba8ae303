import { PassThrough } from "node:stream";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackConfig } from "../../../src/cli/open-stack.js";
import { maskCliOutput } from "../../../src/cli/output-masking.js";
import { makeStackDir, VALID_LINES } from "../config/helpers.js";

describe("the CLI masks the secrets of the config's env", () => {
  it("once a stack's config is loaded, its env's secret values never reach stdout or stderr", async () => {
    const lines = [...VALID_LINES];
    lines.splice(8, 0, '  REDIS_PASSWORD: "only-in-the-config-9"');
    const { dir, cleanup } = await makeStackDir({ "bluegreen.yml": `${lines.join("\n")}\n` });
    const out = new PassThrough();
    const err = new PassThrough();
    const seen: string[] = [];
    out.on("data", (d: Buffer) => seen.push(d.toString()));
    err.on("data", (d: Buffer) => seen.push(d.toString()));
    const restore = maskCliOutput([out, err], {});
    try {
      await loadStackConfig(join(dir, "bluegreen.yml"), {});
      out.write("compose: auth failed for only-in-the-config-9\n");
      err.write(Buffer.from("error: only-in-the-config-9\n"));
    } finally {
      restore();
      await cleanup();
    }
    expect(seen.join("")).toBe("compose: auth failed for ***\nerror: ***\n");
  });
});
