import { describe, expect, it } from "vitest";
import { demuxBuffer } from "../../../src/docker/demux.js";

function frame(type: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("demuxBuffer", () => {
  it("splits stdout and stderr frames and keeps their order in combined", () => {
    const out = demuxBuffer(Buffer.concat([frame(1, "one\n"), frame(2, "oops\n"), frame(1, "two\n")]));
    expect(out).toEqual({ stdout: "one\ntwo\n", stderr: "oops\n", combined: "one\noops\ntwo\n" });
  });

  it("passes raw (TTY) output through as stdout", () => {
    expect(demuxBuffer(Buffer.from("plain text\n"))).toEqual({ stdout: "plain text\n", stderr: "", combined: "plain text\n" });
  });

  it("returns empty text for an empty buffer", () => {
    expect(demuxBuffer(Buffer.alloc(0)).combined).toBe("");
  });
});
