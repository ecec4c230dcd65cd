// Renders the summary rows as a markdown table (medians over rounds, p95 where the
// scenario has one, best round, spread, ratio to the reference system; a
// scenario's `extras` as "name value" after the system's name).
const fmt = (x) => {
  if (x === undefined || !Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(a >= 1 ? 2 : 3);
};

export function table(rows, scenarios) {
  const out = [
    "| scenario | system | median | p95 | best | spread (min–max) | ratio | rounds |",
    "|---|---|--:|--:|--:|--:|--:|--:|",
  ];
  let last;
  for (const r of rows) {
    const spec = scenarios[r.scenario];
    const label = r.scenario === last ? "" : `${r.scenario} (${spec.unit}, ${spec.better} is better)`;
    last = r.scenario;
    if (r.error !== undefined) {
      out.push(`| ${label} | ${r.system} | **error**: ${escape(r.error)} | | | | | 0 |`);
      continue;
    }
    const notes = [];
    if (r.wrong) notes.push(`⚠ ${r.wrong} wrong results`);
    if (r.errors.length) notes.push(`${r.errors.length} failed rounds`);
    const ratio = r.ratio === undefined ? "–" : `${r.ratio.toFixed(2)}× ${r.reference}`;
    const extras = Object.entries(r.extras ?? {})
      .filter(([, x]) => x !== undefined)
      .map(([name, x]) => `${name} ${fmt(x)}`);
    if (extras.length) notes.push(extras.join(", "));
    const spread = r.rounds > 1 ? `${fmt(r.min)}–${fmt(r.max)}` : "–";
    out.push(
      `| ${label} | ${r.system}${notes.length ? ` (${notes.join(", ")})` : ""} | ${fmt(r.median)} | ${fmt(r.p95)} | ${fmt(r.best)} | ${spread} | ${ratio} | ${r.rounds} |`,
    );
  }
  return out.join("\n");
}

const escape = (s) => String(s).replace(/\|/g, "\\|").slice(0, 160);
