// Registry of scenarios: which module measures it, with what parameters, in what
// unit, which way is better, which systems take part, and the ratio reference.
const PT = ["parallel-threads", "parallel-threads-no-sites", "parallel-threads-tasks"];
const ANCHOR_POOLS = ["piscina", "tinypool", "poolifier", "bare-worker", "bare-atomics"];
const POOLS = [...PT, ...ANCHOR_POOLS];
const COPYING = POOLS.filter((s) => s !== "bare-atomics"); // bare-atomics carries numbers only

export const SCENARIOS = {
  latency: {
    module: "latency",
    unit: "µs",
    better: "lower",
    systems: [...POOLS, "sequential"],
    title: "tiny-call round trip on a warm thread, awaited one at a time",
  },
  "latency-pinned": {
    module: "latency",
    pinned: true,
    unit: "µs",
    better: "lower",
    systems: [...POOLS, "sequential"],
    title: "same, whole process under taskset -c 0",
  },
  "latency-future": {
    module: "latency",
    params: { future: true },
    unit: "µs",
    better: "lower",
    systems: [...PT, "piscina", "tinypool", "bare-worker"],
    title: "same, parallel-threads awaiting executor.executeOne(fn, arg) (a Future); unpinned",
  },
  "throughput-4": {
    module: "throughput",
    params: { inFlight: 4 },
    unit: "calls/s",
    better: "higher",
    systems: [...POOLS, "sequential"],
    title: "100,000 tiny calls, 4 in flight",
  },
  "throughput-64": {
    module: "throughput",
    params: { inFlight: 64 },
    unit: "calls/s",
    better: "higher",
    systems: [...POOLS, "sequential"],
    title: "100,000 tiny calls, 64 in flight",
  },
  "fib-scaling": {
    module: "fib",
    unit: "× seq",
    better: "higher",
    systems: [...POOLS, "sequential"],
    title: "fib(32) × 4 per thread on all threads: speedup over the same calls run sequentially in-process",
  },
  cold: {
    module: "cold",
    unit: "ms",
    better: "lower",
    systems: POOLS,
    title: "fresh process: import + setup + first call until its result",
  },
  "cold-burst": {
    module: "cold",
    params: { threads: 8, burst: true },
    unit: "ms",
    better: "lower",
    systems: ["parallel-threads", "parallel-threads-tasks", "piscina", "tinypool", "bare-worker", "sequential"],
    title: "fresh process: import + setup of 8 threads + 8 calls of fib(30) at once until all results",
  },
  "cold-burst-tsx": {
    module: "cold",
    params: { threads: 8, burst: true },
    execArgv: ["--import", "tsx"],
    unit: "ms",
    better: "lower",
    systems: [
      "parallel-threads",
      "parallel-threads-tasks",
      "parallel-threads-tasks-ts",
      "piscina",
      "tinypool",
      "bare-worker",
      "sequential",
    ],
    title: "same, the process run under tsx (node --import tsx); -tasks-ts imports a TypeScript task module",
  },
  "rss-idle": {
    module: "rss",
    unit: "MiB/thread",
    better: "lower",
    systems: POOLS,
    execArgv: ["--expose-gc"],
    title: "RSS delta / 8 after 8 threads ran a blocking 200 ms call and went idle",
  },
  "payload-copy": {
    module: "payload",
    params: { transfer: false },
    unit: "ms",
    better: "lower",
    systems: COPYING,
    title: "16 MiB ArrayBuffer sent by copy, byteLength returned",
  },
  "payload-echo": {
    module: "payload",
    params: { echo: true },
    unit: "ms",
    better: "lower",
    reference: "bare-worker",
    systems: COPYING,
    title: "16 MiB Uint8Array echoed: copied to the thread and back",
  },
  "payload-transfer": {
    module: "payload",
    params: { transfer: true },
    unit: "ms",
    better: "lower",
    systems: COPYING,
    title: "16 MiB ArrayBuffer transferred, byteLength returned",
  },
  map: {
    module: "map",
    unit: "ms",
    better: "lower",
    reference: "piscina",
    systems: ["parallel-threads", "parallel-threads-tasks", "piscina", "tinypool", "sequential"],
    title: "CPU-bound map: 40 inputs of fib(25), results in input order (executor.map / Promise.all of run)",
  },
  fanout: {
    module: "fanout",
    params: { tuned: false },
    unit: "ms",
    better: "lower",
    systems: [...POOLS, "sequential"],
    title: "64 calls of `await sleep(50)` at once, wall time; each system at its defaults",
  },
  "fanout-tuned": {
    module: "fanout",
    params: { tuned: true },
    unit: "ms",
    better: "lower",
    systems: ["parallel-threads", "piscina", "tinypool"],
    title:
      "same, with each system's documented option: concurrentTasksPerWorker: 64 (piscina, tinypool), maxThreads: 64 (parallel-threads)",
  },
  sync: {
    module: "sync",
    unit: "µs",
    better: "lower",
    reference: "synckit",
    systems: [...PT, "synckit", "bare-atomics", "sequential"],
    title: "blocking round trip (resultsSync / createSyncFn / Atomics.wait)",
  },
  "sync-pinned": {
    module: "sync",
    pinned: true,
    unit: "µs",
    better: "lower",
    reference: "synckit",
    systems: [...PT, "synckit", "bare-atomics", "sequential"],
    title: "same, under taskset -c 0",
  },
};

// The job rows: work shaped like users' (bench/jobs), each system at its
// defaults, piscina and tinypool also tuned to the core count, with the
// sequential reference and a bare-worker floor.
const JOB_SYSTEMS = [
  "parallel-threads",
  "parallel-threads-cores",
  "piscina",
  "piscina-cores",
  "tinypool",
  "tinypool-cores",
];

Object.assign(SCENARIOS, {
  pipeline: {
    module: "pipeline",
    unit: "ms",
    better: "lower",
    reference: "bare-split",
    systems: [...JOB_SYSTEMS, "bare-split", "sequential"],
    title: "5,000 real JavaScript files read, parsed (acorn), walked and hashed through map, fresh process, defaults",
  },
  service: {
    module: "service",
    unit: "req/s",
    better: "higher",
    reference: "piscina",
    extras: ["p50", "p99", "healthP99"],
    systems: [...JOB_SYSTEMS, "bare-worker", "sequential"],
    title:
      "HTTP server, /report runs a ~1 ms CPU task per request; autocannon, 32 connections, 6 s; /health probed every 20 ms",
  },
  "map-tiny": {
    module: "map-tiny",
    unit: "inputs/s",
    better: "higher",
    reference: "bare-split",
    systems: [...JOB_SYSTEMS, "bare-split", "sequential"],
    title:
      "1,000,000 tiny inputs (n + 1) through map (the pools: 100,000 through Promise.all of run), fresh process, defaults",
  },
});

// The optional system parallel-threads-at (another checkout, for before/after
// figures) runs wherever parallel-threads does.
for (const spec of Object.values(SCENARIOS)) {
  if (spec.systems.includes("parallel-threads")) spec.systems.push("parallel-threads-at");
}

export const SCENARIO_NAMES = Object.keys(SCENARIOS);
