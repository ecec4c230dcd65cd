/**
 * How a task (an export of a module file, from `tasks()`) is named to the
 * core and to the threads: a task handle carries a `TaskRef`, its call
 * registers a source with a prefix no function source can have, and the
 * thread side recognises that prefix and imports the module instead of
 * compiling a function.
 */

/** Where a task lives: a module URL and an export name. */
export interface TaskRef {
  /** The module's URL. */
  readonly url: string;
  /** The name of the exported function. */
  readonly exportName: string;
}

/** The property of a task handle that holds its `TaskRef`. */
export const TASK = Symbol.for("parallel-threads.task");

/** The task a function stands for, if it is a task handle. */
export function taskOf(fn: Function): TaskRef | undefined {
  return (fn as Partial<Record<typeof TASK, TaskRef>>)[TASK];
}

const TASK_SOURCE_PREFIX = "\u0000task:";

/** The source registered in the core for a task. */
export function taskSource(task: TaskRef): string {
  return `${TASK_SOURCE_PREFIX}${JSON.stringify([task.url, task.exportName])}`;
}

/** The task a registered source names, if it names one (thread side). */
export function taskOfSource(source: string): TaskRef | undefined {
  if (!source.startsWith(TASK_SOURCE_PREFIX)) return undefined;
  const [url, exportName] = JSON.parse(source.slice(TASK_SOURCE_PREFIX.length)) as [string, string];
  return { url, exportName };
}
