// The `service` job's load, in a process of its own: autocannon against the
// server's CPU endpoint (a warm-up, then the measured run), and meanwhile a
// probe process asking /health every 20 ms. Prints one JSON line.
// usage: node load.mjs <base url> <connections> <warm-up s> <measured s>
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const [base, connections, warmup, duration] = process.argv.slice(2);
const load = (seconds) =>
  autocannon({ url: `${base}/report`, connections: Number(connections), duration: Number(seconds) });

await load(warmup);
const probe = spawn(
  process.execPath,
  [fileURLToPath(new URL("probe.mjs", import.meta.url)), `${base}/health`, duration],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
let probed = "";
probe.stdout.on("data", (d) => (probed += d));
const probeDone = new Promise((resolve) => probe.on("close", resolve));
const result = await load(duration);
await probeDone;
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    health: JSON.parse(probed),
  })}\n`,
);
