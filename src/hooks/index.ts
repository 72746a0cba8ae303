export { createHooksRunner, HOOK_KILL_GRACE_MS, HOOK_TAIL_LINES } from "./runner.js";
