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

describe("maskStreamWrites catches every way a secret reaches the stream", () => {
  const capture = (secretEnv: Record<string, string>) => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on("data", (d: Buffer) => chunks.push(d.toString()));
    const masker = createMasker(secretEnv);
    const restore = maskStreamWrites(stream, masker);
    return { stream, masker, restore, text: () => chunks.join("") };
  };

  it("masks a secret written as a Buffer, as a Uint8Array and as a string in another encoding", () => {
    const c = capture({ DB_PASSWORD: "hunter2-secret" });
    c.stream.write(Buffer.from("pw=hunter2-secret\n"));
    c.stream.write(new TextEncoder().encode("again hunter2-secret\n"));
    c.stream.write(Buffer.from("hex hunter2-secret\n").toString("hex"), "hex");
    c.restore();
    expect(c.text()).toBe("pw=***\nagain ***\nhex ***\n");
  });

  it("masks a secret split across two writes, and across a multi-byte character split between Buffers", () => {
    const c = capture({ API_TOKEN: "tok-ünïcode-12345" });
    c.stream.write("token: tok-ün");
    c.stream.write("ïcode-12345 done\n");
    const bytes = Buffer.from("again tok-ünïcode-12345\n");
    const cut = bytes.indexOf(Buffer.from("ü")) + 1; // inside the two bytes of ü
    c.stream.write(bytes.subarray(0, cut));
    c.stream.write(bytes.subarray(cut));
    c.restore();
    expect(c.text()).toBe("token: *** done\nagain ***\n");
  });

  it("holds back only what could start a secret, and lets it out when restored", () => {
    const c = capture({ API_TOKEN: "tok-12345" });
    c.stream.write("almost tok-1");
    expect(c.text()).toBe("almost ");
    c.restore();
    expect(c.text()).toBe("almost tok-1");
  });

  it("lets held-back text out by itself after a moment when nothing follows", async () => {
    const c = capture({ API_TOKEN: "tok-12345" });
    c.stream.write("prompt tok");
    await new Promise((r) => setTimeout(r, 100));
    expect(c.text()).toBe("prompt tok");
    c.restore();
  });

  it("masks secrets it learns after it started (the config's env, known once the config is loaded)", () => {
    const c = capture({});
    c.masker.add({ REDIS_PASSWORD: "from-config-env" });
    c.stream.write("redis says from-config-env\n");
    c.restore();
    expect(c.text()).toBe("redis says ***\n");
  });

  it("still calls every write callback", async () => {
    const c = capture({ API_TOKEN: "tok-12345" });
    const called: string[] = [];
    c.stream.write("a tok-", () => called.push("first"));
    c.stream.write(Buffer.from("12345\n"), () => called.push("second"));
    await new Promise((r) => setTimeout(r, 20));
    c.restore();
    expect(called).toEqual(["first", "second"]);
    expect(c.text()).toBe("a ***\n");
  });
});
