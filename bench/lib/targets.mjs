// Checks parallel-threads against the targets of issue 3, using the rows of one run.
// Each check compares medians (fib-scaling: best-of-rounds), as the issue says.
const TARGETS = [
  ["latency", "≤ 0.5× piscina", ["piscina"], (v, [p]) => v.median <= 0.5 * p.median],
  ["latency-pinned", "≤ 0.5× piscina", ["piscina"], (v, [p]) => v.median <= 0.5 * p.median],
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
  ["fanout", "≤ 1.2× poolifier", ["poolifier"], (v, [p]) => v.median <= 1.2 * p.median],
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

export function targets(rows, system = "parallel-threads") {
  const lines = [`| scenario | target | ${system} | status |`, "|---|---|--:|---|"];
  let any = false;
  for (const [scenario, text, needs, ok] of TARGETS) {
    const all = rows.filter((r) => r.scenario === scenario);
    const v = all.find((r) => r.system === system);
    if (!v) continue;
    any = true;
    const refs = needs.map((name) => all.find((r) => r.system === name && r.median !== undefined));
    const shown = scenario === "fib-scaling" ? v.best : v.median;
    const status =
      v.median === undefined
        ? "no data"
        : refs.some((r) => !r)
          ? `no data for ${needs.filter((_, i) => !refs[i]).join(", ")}`
          : ok(v, refs, all)
            ? "met"
            : "**not met**";
    const value = shown === undefined ? "–" : `${Number(shown.toFixed(2))} ${v.unit}`;
    lines.push(`| ${scenario} | ${text} | ${value} | ${status} |`);
  }
  return any ? lines.join("\n") : "";
}
