/** Reports are written whole or not at all (temp file + fsync + rename): the project's one implementation. */
export { writeFileAtomic } from "../../src/fs/atomic-write.js";
