import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../../src/process/line-splitter.js";

describe("LineSplitter", () => {
  it("removes every terminal control sequence compose prints: colours, line erases, window titles, charset switches", () => {
    const s = new LineSplitter();
    const lines = s.push("\u001b]0;docker-compose\u0007Creating app-green \u001b[32mdone\u001b[0m\n\u001b[2K\u001b(BPulling redis\n");
    expect(lines).toEqual(["Creating app-green done", "Pulling redis"]);
  });

  it("splits on \\r redraws and keeps a multi-byte character split between chunks whole", () => {
    const s = new LineSplitter();
    const bytes = Buffer.from("50%\r100% ✓\n");
    const cut = bytes.indexOf(Buffer.from("✓")) + 1;
    expect([...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut))]).toEqual(["50%", "100% ✓"]);
  });
});
