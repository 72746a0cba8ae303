import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

// The swarm suite (npm run test:swarm; .ci/run runs it after the fault suite). Not part of `npm test`:
// it builds a three-engine swarm in network namespaces (root only) and takes minutes. docs/swarm-lab.md.
const ORDER = ["test/integration/swarm-lab.test.ts", "test/integration/swarm-platform.test.ts", "test/integration/swarm-cli.test.ts"];

/**
 * The files run in ORDER, whatever vitest's cache says: the lab test builds the lab from nothing and
 * takes it down, the platform test expects what a fresh `up` records (blue live, green in preview),
 * and the CLI tests change the routing as they go. Sorted by the cache instead, a CLI run first left
 * the preview route on blue and the others failed on it.
 */
class InOrder extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => ORDER.findIndex((p) => f.moduleId.endsWith(p));
    return Promise.resolve([...files].sort((a, b) => rank(a) - rank(b)));
  }
}

export default defineConfig({
  test: {
    include: ORDER,
    fileParallelism: false,
    sequence: { sequencer: InOrder },
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
