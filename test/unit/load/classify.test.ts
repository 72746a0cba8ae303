import { describe, expect, it } from "vitest";
import { classifyError, classifyStatus, errorCodeOf } from "../../../load/classify.js";

describe("classification", () => {
  it("counts 5xx and 4xx responses as hard and 2xx/3xx as success", () => {
    expect(classifyStatus(503)).toEqual({ error: "hard", errorCode: "http-503" });
    expect(classifyStatus(404)).toEqual({ error: "hard", errorCode: "http-404" });
    expect(classifyStatus(200)).toEqual({ error: null });
    expect(classifyStatus(302)).toEqual({ error: null });
  });

  it("calls a reset a keep-alive close only on a reused socket", () => {
    for (const code of ["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]) {
      expect(classifyError(code, true)).toEqual({ error: "keepalive-close", errorCode: code });
      expect(classifyError(code, false)).toEqual({ error: "hard", errorCode: code });
    }
  });

  it("keeps refused connections, timeouts and unknown errors hard even on a reused socket", () => {
    expect(classifyError("ECONNREFUSED", true).error).toBe("hard");
    expect(classifyError("timeout", true).error).toBe("hard");
    expect(classifyError(undefined, true)).toEqual({ error: "hard", errorCode: "unknown" });
  });

  it("extracts codes from thrown errors", () => {
    expect(errorCodeOf(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe("ECONNREFUSED");
    expect(errorCodeOf(new DOMException("t", "TimeoutError"))).toBe("timeout");
    expect(errorCodeOf(new Error("plain"))).toBe("unknown");
    expect(errorCodeOf("string")).toBe("unknown");
  });
});
