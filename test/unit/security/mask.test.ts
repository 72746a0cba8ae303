import { describe, expect, it } from "vitest";
import { isSecretName, maskInText, maskSecrets, secretValues } from "../../../src/security/index.js";

describe("maskSecrets", () => {
  it("masks values of secret-looking names and keeps the others", () => {
    const env = {
      DB_PASSWORD: "hunter22",
      API_KEY: "abc123",
      GITHUB_TOKEN: "ghp_xxx",
      AWS_SECRET_ACCESS_KEY: "s3cr3t",
      GOOGLE_APPLICATION_CREDENTIALS: "/k.json",
      SSH_PRIVATE_KEY_PATH: "/id",
      BASIC_AUTH: "u:p",
      SESSION_COOKIE: "c",
      PROXY_PORT: "8080",
      APP_VERSION: "v2",
      PWD: "/work",
      EMPTY_TOKEN: "",
    };
    expect(maskSecrets(env)).toEqual({
      DB_PASSWORD: "***",
      API_KEY: "***",
      GITHUB_TOKEN: "***",
      AWS_SECRET_ACCESS_KEY: "***",
      GOOGLE_APPLICATION_CREDENTIALS: "***",
      SSH_PRIVATE_KEY_PATH: "***",
      BASIC_AUTH: "***",
      SESSION_COOKIE: "***",
      PROXY_PORT: "8080",
      APP_VERSION: "v2",
      PWD: "/work",
      EMPTY_TOKEN: "",
    });
  });

  it("masks the password inside URLs whatever the variable is called", () => {
    expect(maskSecrets({ DATABASE_URL: "postgres://app:hunter22@db:5432/app", HOME_URL: "http://127.0.0.1:8080/" })).toEqual({
      DATABASE_URL: "postgres://app:***@db:5432/app",
      HOME_URL: "http://127.0.0.1:8080/",
    });
  });

  it("does not change its input", () => {
    const env = { TOKEN: "abcd" };
    maskSecrets(env);
    expect(env.TOKEN).toBe("abcd");
  });

  it("recognises names case-insensitively and leaves PWD alone", () => {
    expect(["db_pass", "apikey", "X_PASS", "Jwt_Signature"].every(isSecretName)).toBe(true);
    expect(["PWD", "OLDPWD", "PROXY_PORT", "COMPASS_MODE"].some(isSecretName)).toBe(false);
  });
});

describe("maskInText", () => {
  const env = { DB_PASSWORD: "hunter22", SHORT_TOKEN: "ab", API_KEY: "k-123456", REDIS_URL: "redis://:p4ssw0rd@redis:6379", PROXY_PORT: "8080" };

  it("replaces every occurrence of a secret value in logs", () => {
    const log = "connect db password=hunter22 retry with hunter22; header x-api-key: k-123456 on port 8080";
    expect(maskInText(log, env)).toBe("connect db password=*** retry with ***; header x-api-key: *** on port 8080");
  });

  it("masks URL passwords found in env and in the text itself", () => {
    expect(maskInText("redis error p4ssw0rd rejected; dialing amqp://guest:guestpass@mq", env)).toBe("redis error *** rejected; dialing amqp://guest:***@mq");
  });

  it("does not mask very short secrets in free text (it would shred the log)", () => {
    expect(maskInText("about abc", env)).toBe("about abc");
  });

  it("masks the longer secret first when one contains another", () => {
    const nested = { A_TOKEN: "secret", B_TOKEN: "secret-long" };
    expect(secretValues(nested)).toEqual(["secret-long", "secret"]);
    expect(maskInText("x secret-long y secret", nested)).toBe("x *** y ***");
  });
});
