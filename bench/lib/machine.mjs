// Describes the machine a run happened on (printed above the table, saved in the JSON).
import os from "node:os";
import { spawnSync } from "node:child_process";

export function machine() {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? "unknown",
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
  };
}

// `taskset -c 0` is how pinned variants run; tell whether it works here.
export function hasTaskset() {
  const r = spawnSync("taskset", ["-c", "0", process.execPath, "-e", "0"], { stdio: "ignore" });
  return r.status === 0;
}
