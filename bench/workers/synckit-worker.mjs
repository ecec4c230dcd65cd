// synckit worker: runs a shared task by name for a blocking caller.
import { runAsWorker } from "synckit";
import * as tasks from "./tasks.mjs";

runAsWorker((name, arg) => tasks[name](arg));
