import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/index.js";
import { configErrorOf, VALID_LINES, VALID_YAML } from "./helpers.js";

/** The valid config with the proxy driver set and extra lines appended. */
function config(driver: string, extra: string[]): string {
  return `${VALID_LINES.map((l) => (l === "  driver: nginx" ? `  driver: ${driver}` : l)).join("\n")}\n${extra.join("\n")}\n`;
}

const SWARM = ["platform: swarm", "swarm:", "  manager: unix:///run/lab/node1.sock", "  nodes:", "    node2: unix:///run/lab/node2.sock", "    node3: tcp://10.0.0.13:2375"];

describe("platform: where the stack runs", () => {
  it("is compose, with nothing else to say, when not set", () => {
    expect(parseConfig(VALID_YAML, "/s/bluegreen.yml", {}).platform).toEqual({ kind: "compose" });
  });

  it("swarm: a manager's endpoint and each node's, by hostname", () => {
    expect(parseConfig(config("haproxy", SWARM), "/s/bluegreen.yml", {}).platform).toEqual({
      kind: "swarm",
      manager: "unix:///run/lab/node1.sock",
      nodes: { node2: "unix:///run/lab/node2.sock", node3: "tcp://10.0.0.13:2375" },
      nodeEndpoint: null,
      sshConfig: null,
    });
    expect(parseConfig(config("haproxy", ["platform: swarm", "swarm: { manager: tcp://10.0.0.11:2375, nodeEndpoint: \"tcp://{addr}:2376\" }"]), "/s/bluegreen.yml", {}).platform).toMatchObject({ nodes: {}, nodeEndpoint: "tcp://{addr}:2376" });
    // ssh:// endpoints, a template of them, and an ssh_config relative to the file.
    expect(
      parseConfig(config("haproxy", ["platform: swarm", "swarm:", "  manager: ssh://ops@node1", "  nodes: { node2: \"ssh://node2:2222\" }", "  nodeEndpoint: \"ssh://root@{hostname}\"", "  sshConfig: lab/ssh_config"]), "/s/bluegreen.yml", {}).platform,
    ).toEqual({ kind: "swarm", manager: "ssh://ops@node1", nodes: { node2: "ssh://node2:2222" }, nodeEndpoint: "ssh://root@{hostname}", sshConfig: "/s/lab/ssh_config" });
  });

  it("refuses swarm without its section, a swarm section on compose, and a proxy driver that cannot switch replicas", async () => {
    const missing = await configErrorOf(() => parseConfig(config("haproxy", ["platform: swarm"]), "bluegreen.yml", {}));
    expect(missing.issues.map((i) => `${i.path} ${i.message}`).join("\n")).toMatch(/platform is swarm, which needs a swarm section/);
    const stray = await configErrorOf(() => parseConfig(config("haproxy", SWARM.slice(1)), "bluegreen.yml", {}));
    expect(stray.issues.map((i) => `${i.path} ${i.message}`).join("\n")).toMatch(/swarm is set but platform is compose/);
    const nginx = await configErrorOf(() => parseConfig(config("nginx", SWARM), "bluegreen.yml", {}));
    expect(nginx.issues.map((i) => `${i.path} ${i.message}`).join("\n")).toMatch(/proxy\.driver is nginx; on platform swarm only the haproxy driver/);
  });

  it("refuses endpoints it cannot speak, saying what to write instead", async () => {
    const ssh = await configErrorOf(() => parseConfig(config("haproxy", ["platform: swarm", "swarm: { manager: ssh://ops@node1/var/run/docker.sock }"]), "bluegreen.yml", {}));
    expect(ssh.issues.map((i) => `${i.path} ${i.message}`).join("\n")).toMatch(/swarm\.manager.*ssh:\/\/\[USER@\]HOST\[:PORT\]/);
    const bare = await configErrorOf(() => parseConfig(config("haproxy", ["platform: swarm", "swarm:", "  manager: /run/x.sock", "  nodes: { n2: node2:2375 }"]), "bluegreen.yml", {}));
    expect(bare.issues).toHaveLength(2);
    const typo = await configErrorOf(() => parseConfig(config("haproxy", ["platform: swarn"]), "bluegreen.yml", {}));
    expect(typo.issues.map((i) => `${i.path} ${i.message}`).join("\n")).toMatch(/compose|swarm/);
  });
});
