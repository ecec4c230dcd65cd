const { Worker } = require("node:worker_threads");
const path = require("node:path");
const { parallel } = require("parallel-threads");
const t0 = Date.now();
process.on("exit", () => console.log("exit event", Date.now() - t0));
(async () => {
  await parallel(() => 0)().results();
  const rounds = +process.argv[2];
  for (let r = 0; r < rounds; r++) {
    const ws = Array.from({ length: 4 }, (_, i) => new Worker(path.join(__dirname, "__test__/fixtures/user-worker.cjs"), { workerData: { n: i, mode: "finish" } }));
    await Promise.all(ws.map((w) => new Promise((res) => w.once("message", res))));
    await Promise.all(ws.map((w) => w.terminate()));
  }
  console.log("done", Date.now() - t0);
  if (process.argv[3] === "exit") process.exit(0);
})();
