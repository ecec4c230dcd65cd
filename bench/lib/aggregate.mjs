// Folds the per-round child records into one summary row per scenario × system:
// median over rounds, median p95, best round, spread, ratio to the reference system,
// and the median of each of the scenario's `extras` (figures beside the value).
import { median, min, max } from "./stats.mjs";

export function summarize(records, scenarios, order) {
  const groups = new Map();
  for (const r of records) {
    const key = `${r.scenario}\0${r.system}`;
    if (!groups.has(key)) groups.set(key, { scenario: r.scenario, system: r.system, ok: [], errors: [] });
    const g = groups.get(key);
    if (r.error !== undefined) g.errors.push(r.error);
    else g.ok.push(r);
  }
  const rows = [];
  for (const scenario of order.scenarios) {
    const spec = scenarios[scenario];
    for (const system of order.systems) {
      const g = groups.get(`${scenario}\0${system}`);
      if (g) rows.push(row(g, spec));
    }
  }
  for (const r of rows) {
    const ref = rows.find(
      (x) => x.scenario === r.scenario && x.system === (scenarios[r.scenario].reference ?? "piscina"),
    );
    r.reference = scenarios[r.scenario].reference ?? "piscina";
    r.ratio = ref && Number.isFinite(ref.median) && Number.isFinite(r.median) ? r.median / ref.median : undefined;
  }
  return rows;
}

function row(g, spec) {
  const values = g.ok.map((r) => r.value);
  const p95s = g.ok.map((r) => r.extra?.p95).filter((x) => typeof x === "number");
  const wrong = g.ok.reduce((n, r) => n + (r.extra?.wrong ?? 0), 0);
  const base = { scenario: g.scenario, system: g.system, unit: spec.unit, better: spec.better };
  if (values.length === 0) return { ...base, rounds: 0, errors: g.errors, error: g.errors.at(-1) };
  return {
    ...base,
    rounds: values.length,
    median: median(values),
    p95: p95s.length ? median(p95s) : undefined,
    best: spec.better === "higher" ? max(values) : min(values),
    min: min(values),
    max: max(values),
    values,
    wrong,
    errors: g.errors,
    extras: Object.fromEntries(
      (spec.extras ?? []).map((name) => {
        const xs = g.ok.map((r) => r.extra?.[name]).filter((x) => typeof x === "number");
        return [name, xs.length ? median(xs) : undefined];
      }),
    ),
  };
}
