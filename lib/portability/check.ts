/**
 * The static portability check: can a function be re-created on a worker
 * thread from its source alone? (README "Where a call runs"). The addon parses the source and
 * finds what the function uses from outside itself (src/portability.rs);
 * this module filters the worker globals, words the verdict and caches it.
 */
import { binding } from "../wire/binding.js";
import { NotPortableError } from "../errors/errors.js";
import { workerGlobals } from "./globals.js";
import { capturesRejection, shapeRejection, type Rejection } from "./messages.js";

/** A function that can be re-created on a thread from its source. */
export interface PortableFunction {
  /**
   * Source text that, evaluated as an expression in a fresh worker global
   * scope (`(0, eval)("(" + source + ")")`), yields an equivalent function.
   */
  readonly source: string;
  /** Whether it is an `async` function, arrow or method. */
  readonly isAsync: boolean;
  /** `fn.name`, or `"anonymous"` when empty. */
  readonly name: string;
}

type Outcome = PortableFunction | Rejection;

const cache = new WeakMap<Function, Outcome>();
const functionToString = Function.prototype.toString;
let analyses = 0;

/** @internal How many functions have been parsed and analysed (cache misses). */
export function portabilityAnalysisCount(): number {
  return analyses;
}

function isRejection(outcome: Outcome): outcome is Rejection {
  return "message" in outcome;
}

/** Reads `fn`'s source and decides, as a verdict to cache. */
function analyze(fn: Function): Outcome {
  analyses += 1;
  const own = typeof fn.name === "string" ? fn.name : "";
  const name = own === "" ? "anonymous" : own === "bound " ? "bound anonymous" : own;
  const text = functionToString.call(fn);
  if (/\{\s*\[native code\]\s*\}$/.test(text)) {
    return shapeRejection(name, name.startsWith("bound ") ? "bound" : "native");
  }
  const analysis = binding.analyzeFunction(text, own);
  if (analysis.kind === "unparsable") return shapeRejection(name, "unparsable", analysis.error ?? "");
  if (analysis.kind !== "function") return shapeRejection(name, analysis.kind);
  const globals = workerGlobals();
  const free = analysis.free.filter((identifier) => !globals.has(identifier));
  const { contextual } = analysis;
  if (free.length > 0 || contextual.length > 0) {
    return capturesRejection(name, free, contextual, analysis.isArrow);
  }
  return Object.freeze({ source: analysis.source ?? text, isAsync: analysis.isAsync, name });
}

/**
 * Checks that `fn` is portable — self-contained, using only what a worker
 * thread has as globals — and returns how to re-create it there. The verdict
 * is cached per function object.
 *
 * @throws {NotPortableError} when `fn` captures identifiers from an enclosing
 *   scope, uses `this`/`super`/`import.meta`, is bound, native, a class or a
 *   generator function.
 * @example
 * checkPortable((n: number) => Math.sqrt(n)).source; // "(n) => Math.sqrt(n)"
 */
export function checkPortable(fn: Function): PortableFunction {
  if (typeof fn !== "function") {
    throw new TypeError(`parallel(): expected a function, got ${fn === null ? "null" : typeof fn}`);
  }
  let outcome = cache.get(fn);
  if (outcome === undefined) {
    outcome = analyze(fn);
    cache.set(fn, outcome);
  }
  if (isRejection(outcome)) throw new NotPortableError(outcome.message, outcome.captured);
  return outcome;
}
