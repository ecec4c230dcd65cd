import { createContext, runInContext } from "node:vm";

/**
 * Globals that Node adds to a worker thread on top of the language's own
 * (checked against a Node 20 worker; later additions are listed too and kept
 * only when this Node has them).
 */
const NODE_WORKER_GLOBALS = [
  "global", "process", "Buffer",
  "setTimeout", "setInterval", "setImmediate",
  "clearTimeout", "clearInterval", "clearImmediate",
  "queueMicrotask", "structuredClone", "atob", "btoa",
  "URL", "URLSearchParams", "URLPattern", "DOMException",
  "AbortController", "AbortSignal", "Event", "EventTarget", "CustomEvent",
  "MessageChannel", "MessagePort", "MessageEvent", "BroadcastChannel",
  "TextEncoder", "TextDecoder", "TextEncoderStream", "TextDecoderStream",
  "CompressionStream", "DecompressionStream",
  "ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader",
  "ReadableStreamBYOBRequest", "ReadableByteStreamController",
  "ReadableStreamDefaultController", "TransformStream",
  "TransformStreamDefaultController", "WritableStream",
  "WritableStreamDefaultController", "WritableStreamDefaultWriter",
  "ByteLengthQueuingStrategy", "CountQueuingStrategy",
  "Blob", "File", "FormData", "Headers", "Request", "Response", "fetch",
  "WebSocket", "CloseEvent", "EventSource", "ErrorEvent",
  "performance", "Performance", "PerformanceEntry", "PerformanceMark",
  "PerformanceMeasure", "PerformanceObserver", "PerformanceObserverEntryList",
  "PerformanceResourceTiming",
  "crypto", "Crypto", "CryptoKey", "SubtleCrypto",
  "navigator", "Navigator",
] as const;

/** Names every JavaScript global scope has, whatever the host. */
const ALWAYS = ["undefined", "NaN", "Infinity", "globalThis", "require"] as const;

/** The names a fresh V8 context resolves as globals (own and inherited). */
function languageGlobals(): string[] {
  const names: unknown = runInContext(
    `(() => {
      const names = [];
      for (let o = globalThis; o !== null; o = Object.getPrototypeOf(o))
        names.push(...Object.getOwnPropertyNames(o));
      return names;
    })()`,
    createContext(),
  );
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
}

let cached: ReadonlySet<string> | undefined;

/**
 * The identifiers a portable function may use without binding them: the
 * globals of a fresh context, Node's worker globals that exist in this Node,
 * and `require` (the thread provides one resolving from `process.cwd()`).
 * Built once, lazily, and never from names user code added to `globalThis`.
 */
export function workerGlobals(): ReadonlySet<string> {
  if (cached === undefined) {
    const names = new Set<string>(languageGlobals());
    for (const name of ALWAYS) names.add(name);
    for (const name of NODE_WORKER_GLOBALS) {
      if (name in globalThis) names.add(name);
    }
    cached = names;
  }
  return cached;
}
