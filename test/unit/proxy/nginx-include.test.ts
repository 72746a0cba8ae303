import { describe, expect, it } from "vitest";
import { parseNginxAdminTargets, parseNginxInclude, renderNginxInclude } from "../../../src/proxy/nginx-include.js";

describe("nginx include files", () => {
  it("renders the two set directives the proxy's nginx.conf expects", () => {
    const text = renderNginxInclude({ color: "green", upstream: "app-green:3000" });
    expect(text).toContain("set $bg_color green; set $bg_upstream app-green:3000;\n");
    expect(text.split("\n").filter((line) => line && !line.startsWith("#"))).toHaveLength(1);
  });

  it("parses what it renders, and the contract's one-line form", () => {
    expect(parseNginxInclude(renderNginxInclude({ color: "blue", upstream: "app-blue:3000" }))).toEqual({
      color: "blue",
      upstream: "app-blue:3000",
    });
    expect(parseNginxInclude("set $bg_color green;\nset $bg_upstream web-green:8080 ;")).toEqual({
      color: "green",
      upstream: "web-green:8080",
    });
  });

  it("returns null for files of another shape", () => {
    expect(parseNginxInclude("")).toBeNull();
    expect(parseNginxInclude("set $bg_color purple; set $bg_upstream app-purple:3000;")).toBeNull();
    expect(parseNginxInclude("set $bg_color blue;")).toBeNull();
  });
});

describe("nginx admin answer", () => {
  it("parses GET /bluegreen/targets", () => {
    const body = '{"live":"green","preview":"blue","liveUpstream":"app-green:3000","previewUpstream":"app-blue:3000","pid":41}\n';
    expect(parseNginxAdminTargets(body)).toEqual({
      live: "green",
      preview: "blue",
      liveUpstream: "app-green:3000",
      previewUpstream: "app-blue:3000",
      pid: 41,
      mode: null,
    });
  });

  it("reads which route mode the running nginx uses, and nothing else as a mode", () => {
    expect(parseNginxAdminTargets('{"live":"blue","preview":"green","pid":7,"mode":"njs"}').mode).toBe("njs");
    expect(parseNginxAdminTargets('{"live":"blue","preview":"green","pid":7,"mode":"reload"}').mode).toBe("reload");
    expect(parseNginxAdminTargets('{"live":"blue","preview":"green","pid":7,"mode":"fast"}').mode).toBeNull();
  });

  it("reports a color it does not know as null", () => {
    expect(parseNginxAdminTargets('{"live":"red","preview":"green"}')).toMatchObject({ live: null, preview: "green", pid: null });
  });

  it("throws with the raw text when the answer is not JSON", () => {
    expect(() => parseNginxAdminTargets("<html>400 Bad Request</html>")).toThrow(/not JSON: <html>400/);
    expect(() => parseNginxAdminTargets("null")).toThrow(/unexpected JSON/);
  });
});
