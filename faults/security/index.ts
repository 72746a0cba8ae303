/**
 * The security group of the fault suite: no shell strings built from input, symlinked state paths
 * refused, secrets masked, owner-only state files. Same code as test/integration/security.test.ts.
 */
import { matchesFilter, type ScenarioGroup } from "../types.js";
import { NAMES, noShellScenario, secretsAndModesResults, startSecurityStack, symlinkScenario } from "../../testkit/security/scenarios.js";
import { checkSecretsAndModes, removeSecretReleaseImage } from "../../testkit/security/secrets.js";

export const group: ScenarioGroup = {
  name: "security",
  async run(ctx, report) {
    const wants = (name: string) => matchesFilter(name, ctx.filter);
    if (wants(NAMES.noShell)) report((await noShellScenario()).result);
    const needStack = wants(NAMES.symlinks) || wants(NAMES.secrets) || wants(NAMES.modes);
    if (!needStack) return;
    ctx.log("starting the nginx demo stack");
    const stack = await startSecurityStack();
    try {
      if (wants(NAMES.symlinks)) report((await symlinkScenario(stack)).result);
      if (wants(NAMES.secrets) || wants(NAMES.modes)) {
        const [secrets, modes] = secretsAndModesResults(await checkSecretsAndModes(stack, ctx.log));
        if (wants(NAMES.secrets)) report(secrets);
        if (wants(NAMES.modes)) report(modes);
      }
    } finally {
      await stack.destroy();
      await removeSecretReleaseImage();
    }
  },
};
