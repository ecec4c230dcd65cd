// The benchmark's task functions, shared by every system.
// Each must stay self-contained (no captured bindings): parallel-threads ships
// their source to its threads, the other systems import this module.

export function inc(n) {
  return n + 1;
}

export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export async function sleepAsync(ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
}

export function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
}

export function byteLength(buf) {
  return buf.byteLength;
}

export function echo(value) {
  return value;
}
