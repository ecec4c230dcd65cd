// System "parallel-threads-tasks" (optional): the library's `tasks(url)` module handles,
// i.e. the threads import ../workers/tasks.mjs instead of receiving function source.
import * as pt from "parallel-threads";
import { setupWith } from "./parallel-threads.mjs";

const handles = pt.tasks(new URL("../workers/tasks.mjs", import.meta.url));

export const setup = setupWith({ callSiteStacks: true, functions: handles });
