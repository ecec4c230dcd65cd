// Scenario: tiny-call round trip on a warm thread. After a warm-up, times each of
// N sequential awaited calls of inc(i); reports the median and p95 in µs.
// `future`: parallel-threads awaits `executor.executeOne(fn, arg)` (a Future)
// instead of a chain's `results()`; the other systems have one way to call.
import { withSystem, now, checker } from "../lib/harness.mjs";
import { median, percentile, round } from "../lib/stats.mjs";

export async function run({ load, threads, quick, future }) {
  const warm = quick ? 500 : 2000;
  const n = quick ? 2000 : 20000;
  return withSystem(load, { threads }, async (parts) => {
    const sys = future && parts.callFuture ? { ...parts, call: parts.callFuture } : parts;
    const c = checker();
    for (let i = 0; i < warm; i++) c.check(await sys.call("inc", i), i + 1);
    const us = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = now();
      const r = await sys.call("inc", i);
      us[i] = (now() - t) * 1000;
      c.check(r, i + 1);
    }
    return {
      metric: "round-trip median",
      unit: "µs",
      value: round(median(us)),
      extra: { p95: round(percentile(us, 95)), p99: round(percentile(us, 99)), n, threads, wrong: c.wrong },
    };
  });
}
