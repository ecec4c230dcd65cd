// Benchmark orchestrator (`npm run bench`): runs every scenario × system in a fresh
// child process, round-robin over systems for R rounds, then prints a markdown
// table of medians with ratios and writes bench/results/latest.json.
// See bench/README.md for options and how to read the table.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { machine, hasTaskset } from "./lib/machine.mjs";
import { runChild } from "./lib/spawn-child.mjs";
import { summarize } from "./lib/aggregate.mjs";
import { table } from "./lib/report.mjs";
import { targets } from "./lib/targets.mjs";
import { SCENARIOS, SCENARIO_NAMES } from "./scenarios/index.mjs";
import { DEFAULT_SYSTEMS, ALL_SYSTEMS } from "./systems/index.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const opts = parseArgs(process.argv.slice(2));

if (opts.list) {
  for (const [name, s] of Object.entries(SCENARIOS))
    console.log(`${name.padEnd(17)} ${s.title}\n${"".padEnd(17)} systems: ${s.systems.join(", ")}`);
  console.log(`\ndefault systems: ${DEFAULT_SYSTEMS.join(", ")}\nall systems: ${ALL_SYSTEMS.join(", ")}`);
  process.exit(0);
}

const scenarios = opts.only ?? SCENARIO_NAMES;
const systems = opts.systems ?? DEFAULT_SYSTEMS;
for (const s of scenarios) if (!SCENARIOS[s]) die(`unknown scenario "${s}" (see --list)`);
for (const s of systems) if (!ALL_SYSTEMS.includes(s)) die(`unknown system "${s}" (see --list)`);

const notes = [];
const taskset = hasTaskset();
const planned = scenarios.filter((s) => {
  if (SCENARIOS[s].pinned && !taskset) {
    notes.push(`${s} skipped: \`taskset -c 0\` is not available here`);
    return false;
  }
  return true;
});

const info = machine();
const command = `node bench/run.mjs ${process.argv.slice(2).join(" ")}`.trim();
const header = [
  `machine: ${info.os}; ${info.cpuCount} × ${info.cpuModel} (availableParallelism ${info.availableParallelism}); ${info.totalMemGiB} GiB; node ${info.node}`,
  `command: ${command}`,
  `rounds: ${opts.rounds}${opts.quick ? " (quick: smaller counts)" : ""}; threads per pool: ${opts.threads} (fan-out: each system's default)`,
];
console.log(header.join("\n"));
for (const n of notes) console.log(`note: ${n}`);

const records = [];
const startedAt = new Date().toISOString();
const t0 = Date.now();
for (let round = 0; round < opts.rounds; round++) {
  for (const scenario of planned) {
    const spec = SCENARIOS[scenario];
    const list = rotate(
      systems.filter((s) => spec.systems.includes(s)),
      round,
    );
    for (const system of list) {
      const rec = await runChild({
        scenario,
        system,
        pinned: !!spec.pinned,
        execArgv: spec.execArgv,
        params: { threads: opts.threads, quick: opts.quick },
        timeoutMs: opts.timeoutSec * 1000,
      });
      records.push({ round: round + 1, ...rec });
      progress(round, rec);
    }
  }
}

const rows = summarize(records, SCENARIOS, { scenarios: planned, systems });
const md = table(rows, SCENARIOS);
const tg = targets(rows, ["parallel-threads", "parallel-threads-no-sites"]);
console.log(`\n${md}\n`);
if (tg) console.log(`Targets of issue 3 (medians; fib-scaling best-of-rounds):\n\n${tg}\n`);
console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);

const out = resolve(opts.out ?? `${here}/results/latest.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ machine: info, command, startedAt, options: opts, notes, summary: rows, records }, null, 2)}\n`,
);
console.log(`wrote ${out}`);

// non-zero exit for CI smoke runs when a child failed or returned a wrong result
const failed = rows.filter((r) => r.error !== undefined || r.errors.length || r.wrong);
if (failed.length) {
  console.log(
    `${failed.length} row(s) with errors or wrong results: ${failed.map((r) => `${r.scenario}/${r.system}`).join(", ")}`,
  );
  process.exitCode = 1;
}

function rotate(list, k) {
  if (list.length === 0) return list;
  const i = k % list.length;
  return [...list.slice(i), ...list.slice(0, i)];
}

function progress(round, r) {
  const head = `[${round + 1}/${opts.rounds}] ${r.scenario} · ${r.system}`;
  if (r.error !== undefined) return console.error(`${head} → ERROR ${r.error}`);
  const p95 = r.extra?.p95 !== undefined ? ` (p95 ${r.extra.p95})` : "";
  const wrong = r.extra?.wrong ? ` ⚠ ${r.extra.wrong} wrong` : "";
  console.error(`${head} → ${r.value} ${r.unit}${p95}${wrong}`);
}

function die(msg) {
  console.error(msg);
  process.exit(2);
}
