/**
 * Modules a pool thread rarely needs (error classes and transport, the
 * spawner), loaded on first use: every thread that never fails a call is
 * lighter and starts faster.
 */

import type * as ErrorTransport from "./error-transport.js";
import type * as Errors from "./errors.js";
import type * as Spawner from "./spawner.js";

let errorTransportModule: typeof ErrorTransport | undefined;
let errorsModule: typeof Errors | undefined;
let spawnerModule: typeof Spawner | undefined;

/* eslint-disable @typescript-eslint/no-require-imports */

/** `./error-transport.js`, loaded on first use. */
export function errorTransport(): typeof ErrorTransport {
  return (errorTransportModule ??= require("./error-transport.js") as typeof ErrorTransport);
}

/** `./errors.js`, loaded on first use. */
export function errors(): typeof Errors {
  return (errorsModule ??= require("./errors.js") as typeof Errors);
}

/** `./spawner.js`, loaded on first use (only the spawner isolate needs it). */
export function spawner(): typeof Spawner {
  return (spawnerModule ??= require("./spawner.js") as typeof Spawner);
}
