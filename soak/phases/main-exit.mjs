// Main-exit phase: child processes (soak/exit-child.mjs, `childBatch` at a time) whose main
// program exits, throws or returns while calls are in flight: each must end promptly with the
// expected exit code (a watchdog kills a child after `childTimeout`), "throw" with the error on
// stderr, the others with nothing on stderr, "return" only after every call it started settled.

import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { percentile } from "../lib/describe.mjs";

const soakDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

const modes = ["exit-now", "exit-later", "exit-in-callback", "throw", "return", "idle-return"];
const expectedCode = {
  "exit-now": 0,
  "exit-later": 0,
  "exit-in-callback": 0,
  throw: 1,
  return: 0,
  "idle-return": 3,
};

export async function runMainExit(ctx) {
  const { o, figures, check } = ctx;
  const count = o.children;
  const runs = [];
  const t0 = performance.now();
  let next = 0;
  const workers = Array.from({ length: o.childBatch }, async () => {
    while (next < count) await runChild(o, next++, runs);
  });
  await Promise.all(workers);
  const durationMs = Math.round(performance.now() - t0);
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  const byMode = {};
  for (const r of runs) {
    const m = (byMode[r.mode] ??= { runs: 0, ok: 0, maxMs: 0 });
    m.runs++;
    if (!r.problem) m.ok++;
    m.maxMs = Math.max(m.maxMs, r.ms);
  }
  const problems = runs.filter((r) => r.problem);
  const hung = runs.filter((r) => r.problem?.startsWith("hung")).length;
  const slow = runs.filter((r) => r.ms > 5_000).length;
  const result = {
    children: runs.length,
    ok: runs.length - problems.length,
    hung,
    slowOver5s: slow,
    msP50: percentile(times, 50),
    msP95: percentile(times, 95),
    msMax: times.at(-1) ?? 0,
    byMode,
    problemSamples: problems.slice(0, 5).map((r) => `${r.mode}: ${r.problem}`),
    durationMs,
    parallelBatch: o.childBatch,
  };
  figures.mainExit = result;
  check(
    "main-exit: every child exited as expected",
    problems.length === 0 && runs.length === count,
    result.problemSamples.join("; "),
  );
  check("main-exit: nothing hung", hung === 0, `${hung} killed by the watchdog`);
  check("main-exit: every child exited within 5 s", slow === 0, `max ${result.msMax} ms`);
  process.stdout.write("main-exit\n");
}

/** Child `k` (mode `modes[k % 6]`, seed `o.seed + k`); resolves when it has exited, its run pushed to `runs`. */
function runChild(o, k, runs) {
  return new Promise((resolve) => {
    const mode = modes[k % modes.length];
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(soakDir, "exit-child.mjs"), mode, String(o.seed + k)], {
      cwd: path.join(soakDir, ".."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, o.childTimeout);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const ms = Math.round(performance.now() - started);
      let problem;
      if (killed) problem = `hung: killed after ${o.childTimeout} ms`;
      else if (code !== expectedCode[mode])
        problem = `exit code ${code} (signal ${signal}), expected ${expectedCode[mode]}: ${stderr.slice(-300)}`;
      else if (mode === "throw" && !stderr.includes("main program fault"))
        problem = `stderr lacks the error: ${stderr.slice(-300)}`;
      else if (mode !== "throw" && stderr.trim() !== "") problem = `stderr: ${stderr.slice(-300)}`;
      else if (mode === "return") {
        try {
          const r = JSON.parse(stdout.trim().split("\n").pop());
          if (r.settled !== r.started || r.wrong !== 0) problem = `return: ${JSON.stringify(r)}`;
        } catch {
          problem = `return: no report on stdout (${stdout.slice(-200)})`;
        }
      }
      runs.push({ mode, code, signal, ms, problem });
      resolve();
    });
  });
}
