import type { ContextualUse } from "./messages.js";

/**
 * The addon's parse and scope analysis of a function's source
 * (`binding.analyzeFunction`, src/portability.rs): what the source is, and
 * what the function uses from outside itself. Globals are not filtered.
 */
export interface NativeAnalysis {
  readonly kind: "function" | "class" | "generator" | "unparsable";
  /** The source to evaluate on a thread when it is not the text itself (a method, helpers provided). */
  readonly source?: string | null;
  readonly isAsync: boolean;
  readonly isArrow: boolean;
  /** Identifiers used without being bound (private names as `#x`), globals included, sorted. */
  readonly free: readonly string[];
  /** Uses of the caller's `this`, `super`, `new.target`, `import.meta`, sorted. */
  readonly contextual: readonly ContextualUse[];
  /** The parser's message, for `"unparsable"`. */
  readonly error?: string | null;
}
