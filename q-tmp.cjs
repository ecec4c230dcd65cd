const { Worker } = require("node:worker_threads");
const { parallel } = require("parallel-threads");
(async () => {
  if (process.argv[2] === "mainfirst") console.log(await parallel(() => 0)().results());
  const src = `const {parallel}=require("parallel-threads"); const {parentPort}=require("worker_threads");
  parallel(() => 1)().results().then(r => parentPort.postMessage(r))`;
  const t0 = Date.now();
  const w = new Worker(src, { eval: true });
  w.on("message", (m) => { console.log("msg", m, Date.now() - t0); w.terminate().then(c => console.log("terminated", c, Date.now() - t0)); });
  w.on("error", (e) => console.log("error", e));
  w.on("exit", (c) => console.log("exit", c, Date.now() - t0));
  setTimeout(() => { console.log("timeout"); process.exit(3); }, 25000).unref();
})();
