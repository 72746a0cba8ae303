import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ExecSession } from "../../../src/docker/types.js";
import { promptSession, splitAnswers } from "../../../src/proxy/haproxy-channel.js";

/** An `nc` to a HAProxy in interactive mode: "prompt" then one answer + "\n> " per command line. */
class FakeNc implements ExecSession {
  readonly output = new PassThrough();
  readonly lines: string[] = [];
  held: boolean[] = [];
  closed = false;
  constructor(private readonly answer: (line: string) => string | null) {}
  write(text: string) {
    for (const line of text.split("\n").filter(Boolean)) {
      this.lines.push(line);
      const reply = line === "prompt" ? "" : this.answer(line);
      // Split in two chunks: an answer may arrive in pieces.
      if (reply !== null) {
        const all = `${reply}\n> `;
        setImmediate(() => {
          this.output.write(all.slice(0, 3));
          setImmediate(() => this.output.write(all.slice(3)));
        });
      }
    }
  }
  hold(active: boolean) {
    this.held.push(active);
  }
  async finish() {
    this.output.end();
  }
  close() {
    this.closed = true;
    this.output.end();
  }
}

describe("HAProxy's runtime API over one interactive session", () => {
  it("splits answers at each prompt: text keeps its final newline, a silent command answers empty", () => {
    expect(splitAnswers("\n> ")).toEqual({ answers: [""], rest: "" });
    expect(splitAnswers("1\n# be_id\n4 live 1 blue\n\n> \n> par")).toEqual({ answers: ["1\n# be_id\n4 live 1 blue\n", ""], rest: "par" });
  });

  it("runs commands one at a time on one exec, in order, and does not hold the process open when idle", async () => {
    const opened: FakeNc[] = [];
    const s = promptSession(async () => {
      const nc = new FakeNc((line) => (line.startsWith("show") ? `answer to ${line}\n` : ""));
      opened.push(nc);
      return nc;
    });
    const answers = await Promise.all([s.command("show servers state live"), s.command("set server live/green state ready"), s.command("show info")]);
    expect(answers).toEqual(["answer to show servers state live\n", "", "answer to show info\n"]);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.lines).toEqual(["prompt", "show servers state live", "set server live/green state ready", "show info"]);
    expect(opened[0]?.held.at(-1)).toBe(false);
  });

  it("a session closed while idle (HAProxy's stats timeout, e.g. during a 30 s build) is reopened for the next command, which succeeds", async () => {
    const opened: FakeNc[] = [];
    const s = promptSession(async () => {
      const nc = new FakeNc(() => "ok\n");
      opened.push(nc);
      return nc;
    });
    expect(await s.command("show info")).toBe("ok\n");
    opened[0]?.output.end();
    await new Promise((r) => setImmediate(r));
    expect(await s.command("show info")).toBe("ok\n");
    expect(opened).toHaveLength(2);
    expect(opened[1]?.lines).toEqual(["prompt", "show info"]);
  });

  it("a session that ends while a command is in flight fails that command (not sent again) and is replaced for the next", async () => {
    const opened: FakeNc[] = [];
    const s = promptSession(async () => {
      const nc = new FakeNc((line) => {
        if (line === "set server live/green state ready" && opened.length === 1) {
          setImmediate(() => nc.output.end());
          return null;
        }
        return "ok\n";
      });
      opened.push(nc);
      return nc;
    });
    await expect(s.command("set server live/green state ready")).rejects.toThrow(/session ended/);
    expect(opened[0]?.lines.filter((l) => l.startsWith("set"))).toHaveLength(1);
    expect(await s.command("show info")).toBe("ok\n");
    expect(opened[1]?.lines).toEqual(["prompt", "show info"]);
  });

  it("a command with no answer times out, and the stuck session is closed", async () => {
    const opened: FakeNc[] = [];
    const s = promptSession(async () => {
      const nc = new FakeNc((line) => (line === "hang" ? null : "ok\n"));
      opened.push(nc);
      return nc;
    }, 100);
    await expect(s.command("hang")).rejects.toThrow(/no complete answer within 100 ms/);
    await new Promise((r) => setImmediate(r));
    expect(opened[0]?.closed).toBe(true);
    expect(await s.command("show info")).toBe("ok\n");
  });
});

describe("commands chained with ';' on one line", () => {
  it("wait for one answer per command and return them together (HAProxy prompts after each)", async () => {
    const nc = new FakeNc((line) => line.split(";").map((part) => (part.trim().startsWith("show") ? `state of ${part.trim()}\n` : "")).join("\n> "));
    const s = promptSession(async () => nc);
    expect(await s.command("set server live/green state ready; set server live/green health up")).toBe("");
    expect(await s.command("show servers state live; show servers state preview")).toBe("state of show servers state live\nstate of show servers state preview\n");
    // The next command is not answered by a leftover of the chain.
    expect(await s.command("show info")).toBe("state of show info\n");
  });
});
