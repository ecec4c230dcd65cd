// Scenario (job row): a build-tool-shaped pipeline. A fixed list of real
// JavaScript files (jobs/files.mjs) read, parsed with acorn, walked and
// hashed, one task per file (jobs/pipeline-task.mjs), each system at its
// defaults in a fresh process. Wall ms from the system's setup (threads
// started by it count) to the last result; results checked against a
// sequential run's digest made after the timing.
import { readFileSync } from "node:fs";
import { now, teardown } from "../lib/harness.mjs";
import { round } from "../lib/stats.mjs";
import { digestOf, pipelineFiles } from "../jobs/files.mjs";

const MODULE = new URL("../jobs/pipeline-task.mjs", import.meta.url).href;

export async function run({ load, quick }) {
  const files = pipelineFiles(quick ? 1000 : undefined);
  for (const file of files) readFileSync(file); // the page cache warm for every system
  const { setupJob } = await load();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const sys = await setupJob({ module: MODULE });
  const results = await sys.map("parseFile", files);
  const wall = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await teardown(sys);
  const { parseFile } = await import(MODULE); // after the timing: the main thread stays cold for "sequential"
  const expected = digestOf(files.map(parseFile));
  return {
    metric: `${files.length} files read, parsed, walked, hashed`,
    unit: "ms",
    value: round(wall, 0),
    extra: {
      files: files.length,
      perFileUs: round((wall * 1000) / files.length, 1),
      processCpuMs: round((cpu.user + cpu.system) / 1000, 0),
      wrong: digestOf(results) === expected ? 0 : 1,
      ...sys.describe?.(),
    },
  };
}
