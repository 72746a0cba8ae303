import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { runTui } from "../../../src/tui/app.js";
import { FakeDocker, FakeEngine } from "./fakes.js";

class Tty extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  out = "";
  data: string | null = null;
  write = (chunk: string) => {
    this.out += chunk;
    return true;
  };
  type(data: string) {
    this.data = data;
    this.emit("readable");
  }
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

describe("runTui", () => {
  it("renders on the given terminal, unsubscribes from Docker and resolves 0 on q", async () => {
    const tty = new Tty();
    const docker = new FakeDocker();
    const done = runTui(
      { engine: new FakeEngine(), platform: docker, stackName: "demo" },
      { stdin: tty as unknown as NodeJS.ReadStream, stdout: tty as unknown as NodeJS.WriteStream, stderr: tty as unknown as NodeJS.WriteStream },
    );
    const start = Date.now();
    while (!tty.out.includes("ACTIVE") && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 10));
    expect(tty.out).toContain("ACTIVE");
    tty.type("q");
    await expect(done).resolves.toBe(0);
    expect(docker.closed).toBe(true);
  });
});
