import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";

const SAMPLE = join(import.meta.dirname, "../../../fixtures/samples/node-redis-nginx");
// --nginx-route reload: init builds nor runs no image for it (auto would build the sample's nginx to
// look for njs; that look is covered by nginx-route.test.ts with fakes and by adopt-samples end to end).
// A re-run without flags keeps that forced choice, or it would look and change the config.

function io(opts: { tty?: boolean; input?: string } = {}) {
  const stdin = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  const stdout = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  if (opts.input !== undefined) stdin.end(opts.input);
  return { io: { stdin, stdout, stderr }, out: () => out, err: () => err };
}

const dirs: string[] = [];
async function copySample(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "bg-init-"));
  dirs.push(dir);
  await cp(SAMPLE, dir, { recursive: true });
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("bluegreen init on the command line", () => {
  it("writes nothing without a terminal and without --yes, and says how to go on (exit 5)", async () => {
    const dir = await copySample();
    const before = (await readdir(dir)).sort();
    const t = io();
    expect(await main(["init", "-C", dir, "--rotate", "web", "--proxy", "nginx", "--nginx-route", "reload"], t.io)).toBe(5);
    expect(t.err()).toMatch(/not written .* --yes/);
    expect((await readdir(dir)).sort()).toEqual(before);
  });

  it("writes the plan with --yes, then a second run changes nothing and says so", async () => {
    const dir = await copySample();
    const first = io();
    expect(await main(["init", "-C", dir, "--rotate", "web", "--proxy", "nginx", "--nginx-route", "reload", "--stack", "shop", "--yes"], first.io)).toBe(0);
    expect(first.out()).toMatch(/create +compose\.blue\.yml/);
    const config = await readFile(join(dir, "bluegreen.yml"), "utf8");
    const second = io();
    expect(await main(["init", "-C", dir, "--yes"], second.io)).toBe(0);
    expect(second.out()).toContain("nothing to change");
    expect(await readFile(join(dir, "bluegreen.yml"), "utf8")).toBe(config);
    expect(await readFile(join(dir, "nginx/nginx.conf"), "utf8")).toContain("server web:3000;");
  });

  it("asks which services rotate and which proxy on a terminal, then writes after a yes", async () => {
    const dir = await copySample();
    const t = io({ tty: true, input: "web\nnginx\ny\n" });
    expect(await main(["init", "-C", dir, "--stack", "shop", "--nginx-route", "reload"], t.io)).toBe(0);
    expect(t.out()).toMatch(/which rotate per color/);
    expect(t.out()).toMatch(/your project runs nginx as "nginx"/);
    expect(await readFile(join(dir, "compose.green.yml"), "utf8")).toContain("web-green:");
  });

  it("refuses an unknown service with the list of services (exit 2, nothing written)", async () => {
    const dir = await copySample();
    const t = io();
    expect(await main(["init", "-C", dir, "--rotate", "app", "--proxy", "nginx", "--nginx-route", "reload", "--yes"], t.io)).toBe(2);
    expect(t.err()).toMatch(/no service "app".*services: redis, web, nginx/);
    expect((await readdir(dir)).includes("bluegreen.yml")).toBe(false);
  });

  it("doctor exits 1 and names the problem in a directory that was never adopted", async () => {
    const dir = await copySample();
    const t = io();
    expect(await main(["doctor", "-C", dir], t.io)).toBe(1);
    expect(t.out()).toMatch(/bluegreen\.yml: is missing.*\n\s+fix: run `bluegreen init` here/);
  });

  it("doctor warns when the user's compose file changed since init, and init brings the color files up to date", async () => {
    const dir = await copySample();
    expect(await main(["init", "-C", dir, "--rotate", "web", "--proxy", "nginx", "--nginx-route", "reload", "--stack", "shop", "--yes"], io().io)).toBe(0);
    const compose = await readFile(join(dir, "compose.yml"), "utf8");
    await writeFile(join(dir, "compose.yml"), compose.replace("      REDIS_HOST: redis\n", "      REDIS_HOST: redis\n      LOG_LEVEL: debug\n"));
    const doctor = io();
    expect(await main(["doctor", "-C", dir], doctor.io)).toBe(0);
    expect(doctor.out()).toMatch(/compose\.blue\.yml: differs from what `bluegreen init` writes/);
    expect(await main(["init", "-C", dir, "--yes"], io().io)).toBe(0);
    expect(await readFile(join(dir, "compose.blue.yml"), "utf8")).toContain("LOG_LEVEL: debug");
    const after = io();
    expect(await main(["doctor", "-C", dir], after.io)).toBe(0);
    expect(after.out()).toContain("no problems found");
  });
});
