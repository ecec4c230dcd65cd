// Scenario (job row): a TypeScript-service-shaped load. A node:http server on
// 127.0.0.1 whose /report runs a ≈ 1 ms CPU task per request through the
// system (jobs/service-task.mjs), each system at its defaults; autocannon
// with 32 connections (2 s warm-up, then 6 s measured) and a /health probe
// every 20 ms, both in processes of their own (jobs/load.mjs). Value: req/s;
// extras: request p50/p99 and the probe's p99 (ms).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { teardown } from "../lib/harness.mjs";
import { round } from "../lib/stats.mjs";
import { renderReport } from "../jobs/service-task.mjs";

const MODULE = new URL("../jobs/service-task.mjs", import.meta.url).href;
const LOAD = fileURLToPath(new URL("../jobs/load.mjs", import.meta.url));
const ROWS = 1500;
const CONNECTIONS = 32;

export async function run({ load, quick }) {
  const expected = renderReport(ROWS);
  const { setupJob } = await load();
  const sys = await setupJob({ module: MODULE });
  let wrong = 0;
  const server = createServer((req, res) => {
    if (req.url === "/health") return res.end("ok");
    sys.call("renderReport", ROWS).then(
      (body) => {
        if (body !== expected) wrong++;
        res.end(body);
      },
      (error) => {
        res.statusCode = 500;
        res.end(String(error));
      },
    );
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const [warmup, seconds] = quick ? [1, 2] : [2, 6];
  const measured = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD, base, String(CONNECTIONS), String(warmup), String(seconds)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`))));
  });
  server.close();
  await teardown(sys);
  return {
    metric: `req/s of a ${ROWS}-row report endpoint, ${CONNECTIONS} connections`,
    unit: "req/s",
    value: round(measured.rps, 0),
    extra: {
      p50: measured.p50,
      p99: measured.p99,
      healthP99: round(measured.health.p99, 2),
      healthP50: round(measured.health.p50, 2),
      requests: measured.requests,
      wrong: wrong + measured.errors,
      ...sys.describe?.(),
    },
  };
}
