/**
 * Helpers that compilers inject into function bodies, and that a worker can
 * rebuild from nothing: esbuild's (and so tsx's) `keepNames` wraps nested
 * functions and classes in `__name(fn, "fn")`. Each entry is the helper's
 * source, with the same behaviour as the compiler's own.
 */
const HELPERS: Readonly<Record<string, string>> = {
  __name: '(target, value) => Object.defineProperty(target, "name", { value, configurable: true })',
};

/** A function source and the free names left once known helpers are provided. */
export interface WithHelpers {
  readonly source: string;
  readonly free: readonly string[];
}

/**
 * Provides the known helpers among `free` to `source`: the result is still
 * one expression, `((__name) => (source))(<helper>)`, evaluating to the
 * same function with the helper in scope.
 */
export function provideHelpers(source: string, free: readonly string[]): WithHelpers {
  const provided = free.filter((name) => Object.hasOwn(HELPERS, name));
  if (provided.length === 0) return { source, free };
  const definitions = provided.map((name) => HELPERS[name]);
  return {
    source: `((${provided.join(", ")}) => (${source}))(${definitions.join(", ")})`,
    free: free.filter((name) => !provided.includes(name)),
  };
}
