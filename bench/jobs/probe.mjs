// The `service` job's health probe: GET <url> every 20 ms for <seconds>, one
// request at a time on a kept-alive connection; prints the latencies' p50/p99 (ms).
// usage: node probe.mjs <url> <seconds>
import { Agent, get } from "node:http";

const [url, seconds] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const ms = [];
const end = performance.now() + Number(seconds) * 1000;
const once = () =>
  new Promise((resolve, reject) => {
    const t = performance.now();
    get(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(performance.now() - t));
    }).on("error", reject);
  });
while (performance.now() < end) {
  const started = performance.now();
  ms.push(await once());
  const left = 20 - (performance.now() - started);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
}
agent.destroy();
ms.sort((a, b) => a - b);
const at = (p) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))];
process.stdout.write(JSON.stringify({ probes: ms.length, p50: at(50), p99: at(99), max: ms.at(-1) }));
