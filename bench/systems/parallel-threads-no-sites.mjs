// System "parallel-threads-no-sites": the library with `callSiteStacks: false`,
// i.e. without capturing each chain's call site (~3 µs a chain on the calling
// thread) for the stacks of errors from threads. Otherwise as "parallel-threads".
import { setupWith } from "./parallel-threads.mjs";

export const setup = setupWith({ callSiteStacks: false });
