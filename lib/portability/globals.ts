/**
 * Globals that Node adds to a worker thread on top of the language's own
 * (checked against a Node 20 worker; later additions are listed too and kept
 * only when this Node has them).
 */
const NODE_WORKER_GLOBALS = [
  "global",
  "process",
  "Buffer",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
  "queueMicrotask",
  "structuredClone",
  "atob",
  "btoa",
  "URL",
  "URLSearchParams",
  "URLPattern",
  "DOMException",
  "AbortController",
  "AbortSignal",
  "Event",
  "EventTarget",
  "CustomEvent",
  "MessageChannel",
  "MessagePort",
  "MessageEvent",
  "BroadcastChannel",
  "TextEncoder",
  "TextDecoder",
  "TextEncoderStream",
  "TextDecoderStream",
  "CompressionStream",
  "DecompressionStream",
  "ReadableStream",
  "ReadableStreamDefaultReader",
  "ReadableStreamBYOBReader",
  "ReadableStreamBYOBRequest",
  "ReadableByteStreamController",
  "ReadableStreamDefaultController",
  "TransformStream",
  "TransformStreamDefaultController",
  "WritableStream",
  "WritableStreamDefaultController",
  "WritableStreamDefaultWriter",
  "ByteLengthQueuingStrategy",
  "CountQueuingStrategy",
  "Blob",
  "File",
  "FormData",
  "Headers",
  "Request",
  "Response",
  "fetch",
  "WebSocket",
  "CloseEvent",
  "EventSource",
  "ErrorEvent",
  "performance",
  "Performance",
  "PerformanceEntry",
  "PerformanceMark",
  "PerformanceMeasure",
  "PerformanceObserver",
  "PerformanceObserverEntryList",
  "PerformanceResourceTiming",
  "crypto",
  "Crypto",
  "CryptoKey",
  "SubtleCrypto",
  "navigator",
  "Navigator",
] as const;

/** Names every JavaScript global scope has, whatever the host. */
// `__require`: esbuild's name for `require` in an ESM bundle; the thread
// provides it too, so inline functions of a bundled program keep working.
const ALWAYS = ["undefined", "NaN", "Infinity", "globalThis", "require", "__require"] as const;

/**
 * The names a fresh V8 context resolves as globals (own and inherited),
 * listed once from the newest Node (creating a context to ask costs ~15 ms);
 * kept only when this Node has them.
 */
const LANGUAGE_GLOBALS = [
  "AggregateError",
  "Array",
  "ArrayBuffer",
  "AsyncDisposableStack",
  "Atomics",
  "BigInt",
  "BigInt64Array",
  "BigUint64Array",
  "Boolean",
  "DataView",
  "Date",
  "DisposableStack",
  "Error",
  "EvalError",
  "FinalizationRegistry",
  "Float16Array",
  "Float32Array",
  "Float64Array",
  "Function",
  "Infinity",
  "Int16Array",
  "Int32Array",
  "Int8Array",
  "Intl",
  "Iterator",
  "JSON",
  "Map",
  "Math",
  "NaN",
  "Number",
  "Object",
  "Promise",
  "Proxy",
  "RangeError",
  "ReferenceError",
  "Reflect",
  "RegExp",
  "Set",
  "SharedArrayBuffer",
  "String",
  "SuppressedError",
  "Symbol",
  "SyntaxError",
  "TypeError",
  "URIError",
  "Uint16Array",
  "Uint32Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "WeakMap",
  "WeakRef",
  "WeakSet",
  "WebAssembly",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
  "__proto__",
  "console",
  "constructor",
  "decodeURI",
  "decodeURIComponent",
  "encodeURI",
  "encodeURIComponent",
  "escape",
  "eval",
  "globalThis",
  "hasOwnProperty",
  "isFinite",
  "isNaN",
  "isPrototypeOf",
  "parseFloat",
  "parseInt",
  "propertyIsEnumerable",
  "toLocaleString",
  "toString",
  "undefined",
  "unescape",
  "valueOf",
] as const;

function languageGlobals(): string[] {
  return LANGUAGE_GLOBALS.filter((name) => name in globalThis);
}

let cached: ReadonlySet<string> | undefined;

/**
 * The identifiers a portable function may use without binding them: the
 * globals of a fresh context, Node's worker globals that exist in this Node,
 * and `require` (the thread provides one resolving from `process.cwd()`, also
 * as `__require`, the name esbuild gives it in bundles).
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
