// Dispatch model soak: runs the compiled model-based spec (build/__test__/dispatch-model.spec.js,
// see __test__/model/dispatch-model.ts) with many programs, without stopping at the first failing
// one, and prints how many programs ran, how many failed, and the wall time.
//
//   node soak/dispatch-model.mjs [--programs 5000] [--seed <n>] [--sync-only]
//
// The seed defaults to a new one each run (printed, with how to replay a failing program).
// Needs the compiled tests (`npx tsc -p __test__/tsconfig.json`, part of `npm run build:ts`).
// Exit code 0 when every program passed, 1 otherwise.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const value = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const programs = Number(value("--programs") ?? 5000);
const seed = Number(value("--seed") ?? Date.now() % 1_000_000_000);
const syncOnly = argv.includes("--sync-only");
if (!Number.isInteger(programs) || programs < 1 || !Number.isInteger(seed)) {
  console.error("usage: node soak/dispatch-model.mjs [--programs <n>] [--seed <n>] [--sync-only]");
  process.exit(2);
}

const spec = "build/__test__/dispatch-model.spec.js";
if (!existsSync(path.join(root, spec))) {
  console.error(`${spec} is missing: compile the tests first (npx tsc -p __test__/tsconfig.json)`);
  process.exit(2);
}

const dir = mkdtempSync(path.join(os.tmpdir(), "dispatch-model-"));
const summaryFile = path.join(dir, "summary.json");
console.log(`dispatch model soak: ${programs} programs, seed ${seed}${syncOnly ? ", sync only" : ""}`);
const started = Date.now();
const child = spawn(
  process.execPath,
  [
    path.join(root, "node_modules/ava/entrypoints/cli.mjs"),
    spec,
    // ~0.1–0.15 s a program, plus slack for hung programs (20 s each).
    `--timeout=${Math.ceil(programs / 100) + 10}m`,
  ],
  {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      DISPATCH_MODEL_PROGRAMS: String(programs),
      DISPATCH_MODEL_SEED: String(seed),
      DISPATCH_MODEL_KEEP_GOING: "1",
      DISPATCH_MODEL_SUMMARY: summaryFile,
      ...(syncOnly ? { DISPATCH_MODEL_SYNC_ONLY: "1" } : {}),
    },
  },
);
const code = await new Promise((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
const wall = (Date.now() - started) / 1000;

let summary;
try {
  summary = JSON.parse(readFileSync(summaryFile, "utf8"));
} catch {
  summary = undefined;
}
rmSync(dir, { recursive: true, force: true });

console.log("");
if (summary === undefined) {
  console.log(`no summary: the spec did not finish (ava exited with ${code}) after ${wall.toFixed(1)} s`);
  process.exit(1);
}
console.log(`programs run:   ${summary.runs} of ${summary.programs}`);
console.log(`failures:       ${summary.failures}`);
const kinds = Object.entries(summary.violationKinds);
if (kinds.length > 0) console.log(`violations:     ${kinds.map(([k, n]) => `${k} ${n}`).join(", ")}`);
console.log(`wall time:      ${wall.toFixed(1)} s`);
if (summary.failures > 0) {
  const first = summary.firstFailures[0];
  console.log(
    `replay one:     DISPATCH_MODEL_SEED=${seed} DISPATCH_MODEL_PATH=${first.path} npx ava ${spec}` +
      (syncOnly ? " (with DISPATCH_MODEL_SYNC_ONLY=1)" : ""),
  );
  console.log(`first failure (program ${first.path}):\n${first.program}\n- ${first.violations.join("\n- ")}`);
  console.log(first.trace);
}
process.exit(summary.failures === 0 && code === 0 ? 0 : 1);
