// poolifier worker: exposes the shared tasks by name.
import { ThreadWorker } from "poolifier";
import * as tasks from "./tasks.mjs";

export default new ThreadWorker({ ...tasks });
