/** Moved to src/domain/exit-codes.ts (smoke/ and load/ use them too); kept so existing imports still work. */
export { ExitCode } from "../domain/exit-codes.js";
