// The benchmark's task functions as a TypeScript module (system
// "parallel-threads-tasks-ts"): what a thread needs a TypeScript loader for.
import * as tasks from "./tasks.mjs";

export const inc: (n: number) => number = tasks.inc;
export const fib: (n: number) => number = tasks.fib;
