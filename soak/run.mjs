// Reliability runner (issue 8): `npm run soak` (full: 1,000,000 calls, 100 of each fault,
// 100 child processes; a few minutes) or `node soak/run.mjs --quick` (CI: 100,000 calls, 10 of
// each fault, 12 child processes; well under a minute).
//
// Phases, in this order, each under a watchdog (each module's header says what it checks):
//   soak       phases/soak.mjs: tiny calls through chains and executeOne, 64 in flight, on the
//              default executor and one of our own; every result once and right, RSS flat after
//              the warm-up, threads back to rest and retired, OS thread count back.
//   faults     phases/faults.mjs (one module per fault in phases/faults/): process.exit in a call,
//              an uncaught timer exception, out of memory, an infinite loop under a timeout, cancel
//              storms — each mixed with healthy calls, each call settling once as documented.
//   main-exit  phases/main-exit.mjs: child processes (soak/exit-child.mjs) whose main program exits,
//              throws or returns while calls are in flight: each must end promptly, as expected.
// Shared helpers are in soak/lib/; the functions the phases pass to parallel()/executeOne
// (lib/calls.mjs) are re-created inside threads from their source: they use only their arguments.
//
// Options: --quick  --out <file.json>  --seed <n>  --calls <n>  --warmup <n>  --faults <n>
//          --children <n>  --natural-heaps  --no-oom
//          (for investigations: --kinds 0,1,2,3,4  --soak-threads <n>  --chain-share <0..1>
//          --own-share <0..1>)
// Results: a figures table on stdout and JSON in <os.tmpdir()>/parallel-threads-soak/latest.json
// (or --out). Exit code 0 when every check holds, 1 otherwise.

import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { options } from "./lib/options.mjs";
import { mulberry32 } from "./lib/random.mjs";
import { printTable } from "./lib/table.mjs";
import { runFaults } from "./phases/faults.mjs";
import { runMainExit } from "./phases/main-exit.mjs";
import { runSoak } from "./phases/soak.mjs";

const argv = process.argv.slice(2);

async function main() {
  const o = options(argv);
  // Imported here, in the process re-run under --expose-gc only.
  const lib = await import("parallel-threads");
  // One PRNG sequence for every phase, in order: a seed replays the run.
  const rand = mulberry32(o.seed);
  const checks = [];
  const startedAt = Date.now();
  const figures = {
    mode: o.quick ? "quick" : "full",
    seed: o.seed,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.availableParallelism(),
    startedAt: new Date(startedAt).toISOString(),
  };
  const ctx = {
    o,
    lib,
    rand,
    pick: (n) => Math.floor(rand() * n),
    figures,
    check: (name, ok, detail = "") => {
      checks.push({ name, ok: Boolean(ok), detail });
    },
  };

  await runSoak(ctx); // figures.soak, figures.threads
  await runFaults(ctx); // figures.faults[name]
  await runMainExit(ctx); // figures.mainExit

  figures.durationMs = Date.now() - startedAt;
  figures.checks = checks;
  figures.ok = checks.every((c) => c.ok);
  mkdirSync(path.dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(figures, null, 2)}\n`);
  printTable(figures);
  process.stdout.write(`\nresults: ${o.out}\n`);
  process.exit(figures.ok ? 0 : 1);
}

// ------------------------------------------------------------------ run under --expose-gc

if (typeof globalThis.gc !== "function") {
  // --quick measures RSS over 50,000 calls after a 50,000-call warm-up, too
  // short to wait out V8 growing the main isolate's young generation (a
  // bounded step of up to ~130 MiB of heap on Node 24, README "Limitations"),
  // which the full run does with its 200,000-call warm-up: there the main
  // isolate's semi-space is pinned, as in the leak test of
  // __test__/reliability.spec.ts.
  const pin = argv.includes("--quick") ? ["--max-semi-space-size=1"] : [];
  const flags = ["--expose-gc", ...pin, ...process.execArgv];
  const child = spawn(process.execPath, [...flags, fileURLToPath(import.meta.url), ...argv], {
    stdio: "inherit",
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}
