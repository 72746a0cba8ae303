import { describe, expect, it } from "vitest";
import { JsonObjectStream } from "../../../src/docker/json-object-stream.js";

describe("JsonObjectStream", () => {
  it("returns objects split across chunks once they are complete", () => {
    const parser = new JsonObjectStream();
    expect(parser.push('{"Action":"st').objects).toEqual([]);
    expect(parser.push('art","Actor":{"ID":"a"}}\n{"Action"').objects).toEqual([{ Action: "start", Actor: { ID: "a" } }]);
    expect(parser.push(':"die"}\n').objects).toEqual([{ Action: "die" }]);
  });

  it("splits objects written without a newline between them", () => {
    expect(new JsonObjectStream().push('{"a":1}{"b":2}\n{"c":3}').objects).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it("ignores braces and escaped quotes inside strings", () => {
    const parser = new JsonObjectStream();
    expect(parser.push('{"out":"a } \\" {","n":1').objects).toEqual([]);
    expect(parser.push("}").objects).toEqual([{ out: 'a } " {', n: 1 }]);
  });

  it("keeps multi-byte characters split between chunks intact", () => {
    const bytes = Buffer.from('{"name":"caf\u00e9"}\n', "utf8");
    const cut = bytes.indexOf(0xc3) + 1;
    const parser = new JsonObjectStream();
    expect(parser.push(bytes.subarray(0, cut)).objects).toEqual([]);
    expect(parser.push(bytes.subarray(cut)).objects).toEqual([{ name: "caf\u00e9" }]);
  });

  it("reports text that is not JSON and carries on", () => {
    const result = new JsonObjectStream().push('oops\n{"a":1}\n{"b":}\n{"c":2}');
    expect(result.objects).toEqual([{ a: 1 }, { c: 2 }]);
    expect(result.garbage).toEqual(["oops", '{"b":}']);
  });
});
