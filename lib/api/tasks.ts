/**
 * `tasks(module)`: typed handles to the exported functions of a module file,
 * which threads import once and keep loaded. The way to run your own code
 * (with imports, closures over module state, classes) on threads.
 */

import * as path from "node:path";
import { pathToFileURL } from "node:url";

import { typeError } from "../errors/errors.js";
import { TASK, type TaskRef } from "../runtime/task-source.js";
import { parallel } from "./parallel.js";
import type { AnyFunction } from "./types.js";

export type { TaskRef };

/**
 * A handle to an exported function `F`: call it to run the export on a
 * thread (a promise of its result), or pass it to `parallel()`,
 * `.parallel()` or `executeOne()` to put it in a chain.
 */
export type TaskHandle<F extends AnyFunction> = ((...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>) & {
  /** Where the task lives. */
  readonly [TASK]: TaskRef;
};

/** The task handles of a module: one per exported function. */
export type Tasks<M> = {
  readonly [K in keyof M as M[K] extends AnyFunction ? K : never]: M[K] extends AnyFunction ? TaskHandle<M[K]> : never;
};

/** The module URL of a `tasks()` argument: a URL, a `file:` URL string, or a path (resolved from `process.cwd()`). */
function moduleUrl(module: unknown): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== "string" || module.length === 0) {
    throw typeError(
      "ERR_INVALID_ARG_TYPE",
      'tasks() expects a module URL or path, e.g. tasks(new URL("../work.js", import.meta.url))',
    );
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return new URL(module).href;
  return pathToFileURL(path.resolve(process.cwd(), module)).href;
}

/**
 * Typed handles to the exported functions of a module; the module is imported
 * by the threads (once each), not here.
 *
 * ```ts
 * const work = tasks<typeof import("../work.js")>(new URL("../work.js", import.meta.url));
 * const digest = await work.hash(data);
 * const [a, b] = await parallel(work.hash)(x).parallel(work.hash)(y).results();
 * ```
 * A missing export or module fails the call with an error naming it.
 */
export function tasks<M>(module: URL | string): Tasks<M> {
  const url = moduleUrl(module);
  const handles = new Map<string, AnyFunction>();
  return new Proxy(Object.create(null) as Tasks<M>, {
    get(_target, name) {
      if (typeof name !== "string" || name === "then") return undefined;
      let handle = handles.get(name);
      if (handle === undefined) {
        handle = makeHandle({ url, exportName: name });
        handles.set(name, handle);
      }
      return handle;
    },
  });
}

function makeHandle(task: TaskRef): AnyFunction {
  const handle = async (...args: unknown[]): Promise<unknown> => {
    const [result] = await parallel(handle)(...args).results();
    return result;
  };
  Object.defineProperty(handle, TASK, { value: Object.freeze(task) });
  Object.defineProperty(handle, "name", { value: task.exportName });
  return handle;
}
