// The consumer test: pack the package and the linux-x64-gnu platform package,
// install both into a fresh project with no cargo on PATH, and run an ESM, a
// CommonJS and a TypeScript (tsx) consumer there (scripts/consumer-test.sh).
// Set SKIP_CONSUMER_TEST=1 to skip it.
import test from "ava";
import { spawn } from "node:child_process";
import * as path from "node:path";

const root = path.join(__dirname, "..", "..");
const limit = 5 * 60_000;

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function runScript(): Promise<Run> {
  return new Promise((resolve, reject) => {
    // NODE: the node running the tests (CI runs them on several versions).
    const child = spawn("bash", [path.join(root, "scripts", "consumer-test.sh")], {
      cwd: root,
      env: { ...process.env, NODE: process.execPath },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGTERM"), limit - 10_000);
    child.on("error", reject);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, output });
    });
  });
}

if (process.env.SKIP_CONSUMER_TEST) {
  console.log(`consumer.spec: skipped because SKIP_CONSUMER_TEST=${process.env.SKIP_CONSUMER_TEST}`);
  test.skip("packed tarballs install without cargo and work from ESM, CommonJS and TypeScript", () => {});
} else {
  test.serial("packed tarballs install without cargo and work from ESM, CommonJS and TypeScript", async (t) => {
    t.timeout(limit);
    const run = await runScript();
    t.is(run.status, 0, `consumer-test.sh exited with ${run.status ?? run.signal}:\n${run.output}`);
    const lines = run.output.split("\n");
    for (const ok of ["ESM consumer OK", "CJS consumer OK", "TypeScript consumer OK"]) {
      t.true(lines.includes(ok), `missing "${ok}" in:\n${run.output}`);
    }
    t.regex(run.output, /consumer-test: PASSED/);
  });
}
