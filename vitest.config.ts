import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx", "faults/**/*.test.ts"],
    // The swarm suite builds a three-engine swarm (minutes, root): only `npm run test:swarm` runs it.
    exclude: [...configDefaults.exclude, "test/integration/swarm-*.test.ts"],
    // Integration tests share one Docker daemon and a 2-core machine: run files one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
