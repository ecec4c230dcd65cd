// Command-line options of soak/run.mjs (the runner's header lists them).

import os from "node:os";
import path from "node:path";

export function options(argv) {
  const flag = (name) => argv.includes(name);
  const value = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const number = (name, fallback) => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} wants a number, got ${v}`);
    return n;
  };
  const quick = flag("--quick");
  const calls = number("--calls", quick ? 100_000 : 1_000_000);
  return {
    quick,
    calls,
    warmup: Math.min(calls, number("--warmup", quick ? 50_000 : 200_000)),
    samples: quick ? 4 : 10,
    inFlight: 64,
    faults: number("--faults", quick ? 10 : 100),
    children: number("--children", quick ? 12 : 100),
    childBatch: 4,
    seed: number("--seed", Date.now() % 1_000_000),
    oom: !flag("--no-oom"),
    naturalHeaps: flag("--natural-heaps"),
    soakThreads: number("--soak-threads", 4),
    chainShare: number("--chain-share", 0.7),
    ownShare: number("--own-share", 0.5),
    // Which TINY call kinds the soak uses (all by default), e.g. --kinds 0,1,2,4.
    kinds: (value("--kinds") ?? "0,1,2,3,4").split(",").map(Number),
    out: value("--out") ?? path.join(os.tmpdir(), "parallel-threads-soak", "latest.json"),
    // Watchdogs (ms).
    soakTimeout: quick ? 60_000 : 420_000,
    faultTimeout: quick ? 30_000 : 120_000,
    childTimeout: 20_000,
    idleTimeout: 1_500,
  };
}
