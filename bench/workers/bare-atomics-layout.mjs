// Shared-memory layout of the bare Atomics ping-pong (main side and worker side).
export const REQ = 0; // Int32: request sequence number, written by main
export const RESP = 1; // Int32: sequence number of the last answered request
export const FN = 2; // Int32: index into FN_NAMES
export const STATUS = 3; // Int32: 0 ok, 1 threw
export const ARG = 0; // Float64
export const RESULT = 1; // Float64
export const STOP = -1; // REQ value asking the worker to leave its loop
export const SAB_BYTES = 32;
export const FN_NAMES = ["inc", "fib", "sleepSync", "sleepAsync"];
