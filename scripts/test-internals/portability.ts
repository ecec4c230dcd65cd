/**
 * Entry of build/portability-internals.js: the portability check, bundled
 * from lib/ for its unit tests (never shipped). It lives directly in build/
 * so that the addon loader's paths (relative to the bundle's folder's
 * parent) find the addon as they do from dist/.
 */
export * from "../../lib/portability/check.js";
