/**
 * Entry of build/errors-internals.js: the error classes, SuppressedError and
 * the error codec, bundled from lib/ for their unit tests (never shipped).
 */
export * as errors from "../../lib/errors/errors.js";
export * as suppressed from "../../lib/errors/suppressed-error.js";
export * as errorTransport from "../../lib/values/error-transport.js";
