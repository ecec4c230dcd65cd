// System "parallel-threads-tasks-ts" (optional): the library's `tasks(url)` handles of a
// TypeScript module (../workers/typed-tasks.mts). Its threads need a TypeScript
// loader: Node's type stripping where it has one (22.18+, 24), tsx (under tsx)
// otherwise.
import * as pt from "parallel-threads";
import { setupWith } from "./parallel-threads.mjs";

const handles = pt.tasks(new URL("../workers/typed-tasks.mts", import.meta.url));

export const setup = setupWith({ callSiteStacks: true, functions: handles });
