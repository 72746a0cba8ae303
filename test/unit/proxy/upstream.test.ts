import { describe, expect, it } from "vitest";
import { colorOfUpstream, upstreamFor } from "../../../src/proxy/upstream.js";

describe("upstream addresses", () => {
  it("fills the color into the template", () => {
    expect(upstreamFor("app-{color}:3000", "green")).toBe("app-green:3000");
    expect(upstreamFor("{color}.web.internal:8080", "blue")).toBe("blue.web.internal:8080");
  });

  it("refuses anything that is not a plain host:port (it is written into proxy configs)", () => {
    expect(() => upstreamFor("app-{color}:3000; evil", "blue")).toThrow(/not a host:port.*Nothing was changed/);
    expect(() => upstreamFor("app-{color}", "blue")).toThrow(/proxy.upstream/);
    expect(() => upstreamFor("http://app-{color}:3000", "blue")).toThrow();
  });

  it("maps an address back to its color", () => {
    expect(colorOfUpstream("app-{color}:3000", "app-blue:3000")).toBe("blue");
    expect(colorOfUpstream("app-{color}:3000", "app-green:3000")).toBe("green");
    expect(colorOfUpstream("app-{color}:3000", "other:3000")).toBeNull();
  });
});
