import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createMasker, maskStreamWrites } from "../../../src/security/index.js";

describe("createMasker", () => {
  const masker = createMasker({ DB_PASSWORD: "hunter2-secret", HOME: "/root" }, { API_TOKEN: "tok-12345" });

  it("replaces the values of secret-looking variables from every environment given", () => {
    expect(masker.text("connect with hunter2-secret and tok-12345 from /root")).toBe("connect with *** and *** from /root");
  });

  it("masks passwords in URLs whatever variable they came from", () => {
    expect(masker.text("redis://app:s3cr3t-pw@redis:6379")).not.toContain("s3cr3t-pw");
  });

  it("masks every string inside events and results, leaving other values and the input untouched", () => {
    const event = { type: "output", line: "DB_PASSWORD=hunter2-secret", n: 3, nested: [{ message: "tok-12345" }], ok: true };
    const masked = masker.deep(event);
    expect(masked).toEqual({ type: "output", line: "DB_PASSWORD=***", n: 3, nested: [{ message: "***" }], ok: true });
    expect(event.line).toBe("DB_PASSWORD=hunter2-secret");
  });
});

describe("maskStreamWrites", () => {
  it("masks what is written to the stream until restored", () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on("data", (d: Buffer) => chunks.push(d.toString()));
    const restore = maskStreamWrites(stream, createMasker({ SECRET_KEY: "abcd-efgh" }));
    stream.write("key=abcd-efgh\n");
    restore();
    stream.write("key=abcd-efgh\n");
    expect(chunks.join("")).toBe("key=***\nkey=abcd-efgh\n");
  });
});
