import { defineConfig } from "vitest/config";

// The swarm suite (npm run test:swarm; .ci/run runs it after the fault suite). Not part of `npm test`:
// it builds a three-engine swarm in network namespaces (root only) and takes minutes. docs/swarm-lab.md.
export default defineConfig({
  test: {
    include: ["test/integration/swarm-lab.test.ts", "test/integration/swarm-platform.test.ts", "test/integration/swarm-cli.test.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
