// Checks parallel-threads (and its variants) against the targets of issues 3 and
// 22, using the rows of one run.
// Each check compares medians (fib-scaling: best-of-rounds), as the issue says.
const TARGETS = [
  ["latency", "≤ 0.5× piscina", ["piscina"], (v, [p]) => v.median <= 0.5 * p.median],
  ["latency-pinned", "≤ 0.5× piscina", ["piscina"], (v, [p]) => v.median <= 0.5 * p.median],
  ["latency-future", "≤ 0.5× piscina", ["piscina"], (v, [p]) => v.median <= 0.5 * p.median],
  ["throughput-4", "≥ 2× piscina", ["piscina"], (v, [p]) => v.median >= 2 * p.median],
  [
    "throughput-64",
    "ahead of every system",
    ["piscina", "tinypool", "poolifier", "bare-worker", "bare-atomics"],
    (v, refs) => refs.every((r) => v.median > r.median),
  ],
  ["fib-scaling", "best ≥ 0.97× bare-worker's best", ["bare-worker"], (v, [b]) => v.best >= 0.97 * b.best],
  ["cold", "≤ piscina", ["piscina"], (v, [p]) => v.median <= p.median],
  ["rss-idle", "≤ bare-worker + 1 MiB", ["bare-worker"], (v, [b]) => v.median <= b.median + 1],
  ["payload-transfer", "≤ 1.2× bare-worker", ["bare-worker"], (v, [b]) => v.median <= 1.2 * b.median],
  // One call, one thread (SPEC §6) bounds the default fan-out by maxThreads;
  // the target is for the documented wide-fan-out option (maxThreads: 64).
  [
    "fanout-tuned",
    "≤ 1.2× poolifier's fanout",
    [],
    (v, _, rows) => {
      const poolifier = rows.find((r) => r.scenario === "fanout" && r.system === "poolifier");
      return poolifier !== undefined && v.median <= 1.2 * poolifier.median;
    },
  ],
  // Issue 22: work shaped like users', each system at its defaults.
  [
    "pipeline",
    "≤ 1.10× bare-split and ≤ piscina, tinypool",
    ["bare-split", "piscina", "tinypool"],
    (v, [b, p, t]) => v.median <= 1.1 * b.median && v.median <= p.median && v.median <= t.median,
  ],
  [
    "service",
    "req/s ≥ piscina's and tinypool's",
    ["piscina", "tinypool"],
    (v, refs) => refs.every((r) => v.median >= r.median),
  ],
  [
    "service",
    "p99 ≤ the best of piscina's and tinypool's",
    ["piscina", "tinypool"],
    (v, refs) => v.extras.p99 <= Math.min(...refs.map((r) => r.extras.p99)),
    (v) => v.extras.p99,
  ],
  [
    "service",
    "/health p99 ≤ 1.2× the best of piscina's and tinypool's",
    ["piscina", "tinypool"],
    (v, refs) => v.extras.healthP99 <= 1.2 * Math.min(...refs.map((r) => r.extras.healthP99)),
    (v) => v.extras.healthP99,
  ],
  ["payload-echo", "≤ 1.1× bare-worker", ["bare-worker"], (v, [b]) => v.median <= 1.1 * b.median],
  ["map-tiny", "≥ 1,000,000 inputs/s", [], (v) => v.median >= 1_000_000],
  [
    "sync",
    "≤ 1.2× bare-atomics and < synckit",
    ["bare-atomics", "synckit"],
    (v, [a, s]) => v.median <= 1.2 * a.median && v.median < s.median,
  ],
  [
    "sync-pinned",
    "≤ 1.2× bare-atomics and < synckit",
    ["bare-atomics", "synckit"],
    (v, [a, s]) => v.median <= 1.2 * a.median && v.median < s.median,
  ],
];

/** A markdown table: each target, and for each of `systems` in the run its figure and whether it met it. */
export function targets(rows, systems = ["parallel-threads"]) {
  const present = systems.filter((s) => rows.some((r) => r.system === s));
  if (present.length === 0) return "";
  const lines = [
    `| scenario | target | ${present.map((s) => `${s} | status`).join(" | ")} |`,
    `|---|---|${present.map(() => "--:|---|").join("")}`,
  ];
  let any = false;
  for (const [scenario, text, needs, ok, figure] of TARGETS) {
    const all = rows.filter((r) => r.scenario === scenario);
    const cells = present.map((system) => {
      const v = all.find((r) => r.system === system);
      if (!v) return ["–", "–"];
      any = true;
      const refs = needs.map((name) => all.find((r) => r.system === name && r.median !== undefined));
      const shown = figure ? figure(v) : scenario === "fib-scaling" ? v.best : v.median;
      const status =
        v.median === undefined
          ? "no data"
          : refs.some((r) => !r)
            ? `no data for ${needs.filter((_, i) => !refs[i]).join(", ")}`
            : ok(v, refs, rows)
              ? "met"
              : "**not met**";
      const unit = figure ? "ms" : v.unit;
      return [shown === undefined ? "–" : `${Number(shown.toFixed(2))} ${unit}`, status];
    });
    if (cells.every(([value]) => value === "–")) continue;
    lines.push(`| ${scenario} | ${text} | ${cells.map((c) => c.join(" | ")).join(" | ")} |`);
  }
  return any ? lines.join("\n") : "";
}
