// The consumer test: pack the package and the linux-x64-gnu platform package,
// install both into a fresh project with no cargo on PATH, and run an ESM, a
// CommonJS and a TypeScript (tsx) consumer there (scripts/consumer-test.sh).
// Set SKIP_CONSUMER_TEST=1 to skip it.
import test from "ava";
import { runScript } from "./helpers/run-script.js";

const limit = 5 * 60_000;

if (process.env.SKIP_CONSUMER_TEST) {
  console.log(`consumer.spec: skipped because SKIP_CONSUMER_TEST=${process.env.SKIP_CONSUMER_TEST}`);
  test.skip("packed tarballs install without cargo and work from ESM, CommonJS and TypeScript", () => {});
} else {
  test.serial("packed tarballs install without cargo and work from ESM, CommonJS and TypeScript", async (t) => {
    t.timeout(limit);
    const run = await runScript("consumer-test.sh", limit - 10_000);
    t.is(run.status, 0, `consumer-test.sh exited with ${run.status ?? run.signal}:\n${run.output}`);
    const lines = run.output.split("\n");
    for (const ok of ["ESM consumer OK", "CJS consumer OK", "TypeScript consumer OK"]) {
      t.true(lines.includes(ok), `missing "${ok}" in:\n${run.output}`);
    }
    t.regex(run.output, /consumer-test: PASSED/);
  });
}
