import { defineConfig } from "vitest/config";

// The swarm lab's integration test (npm run test:swarm). Not part of `npm test`: it builds a
// three-engine swarm in network namespaces (root only) and takes minutes. docs/swarm-lab.md.
export default defineConfig({
  test: {
    include: ["test/integration/swarm-lab.test.ts", "test/integration/swarm-platform.test.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
