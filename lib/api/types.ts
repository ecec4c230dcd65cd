/** Types shared by the caller's API (kept apart so that its modules need not import each other for them). */

/** Any function a call can run. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;
